package memory

import (
	"testing"
	"time"

	"github.com/secours/secours/store/storetest"
)

func TestSecretsContract(t *testing.T) {
	storetest.RunSecrets(t, func(t *testing.T) storetest.SecretStore {
		return New(time.Hour, nil)
	})
}
