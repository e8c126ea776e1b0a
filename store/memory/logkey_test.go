package memory

import (
	"testing"

	"github.com/secours/secours/store/storetest"
)

func TestLogKeyContract(t *testing.T) {
	storetest.RunLogKey(t, func(t *testing.T) (storetest.LogKeyer, storetest.LogKeyer) {
		return New(0, nil), nil
	})
}
