package redis

import (
	"testing"

	"github.com/secours/secours/store/storetest"
)

func TestLogKeyContract(t *testing.T) {
	storetest.RunLogKey(t, func(t *testing.T) (storetest.LogKeyer, storetest.LogKeyer) {
		a := newStore(t, Options{})
		return a, newStore(t, Options{Prefix: a.prefix})
	})
}
