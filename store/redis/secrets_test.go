package redis

import (
	"testing"

	"github.com/secours/secours/store/storetest"
)

func TestSecretsContract(t *testing.T) {
	storetest.RunSecrets(t, func(t *testing.T) storetest.SecretStore {
		return newStore(t, Options{})
	})
}

// TestSecretsContractCluster: the secret's key is in its own slot.
func TestSecretsContractCluster(t *testing.T) {
	u := newCluster(t)
	storetest.RunSecrets(t, func(t *testing.T) storetest.SecretStore {
		return openStore(t, u)
	})
}
