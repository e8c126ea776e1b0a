// Package watest holds what the WhatsApp tests share, in bot/whatsapp and
// in cmd/secours: a device stored as a link stores it. It imports
// whatsmeow's store only, not bot/whatsapp, so that bot/whatsapp's own
// tests can use it.
package watest

import (
	"testing"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
)

// User is the number of the device SaveDevice stores.
const User = "32460000000"

// FirstDevice is c's first device (a new, unlinked one in an empty store),
// failing t if the store cannot be read.
func FirstDevice(t *testing.T, c *sqlstore.Container) *store.Device {
	t.Helper()
	dev, err := c.GetFirstDevice(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

// SaveDevice stores a device in an empty store, as a link does.
func SaveDevice(t *testing.T, c *sqlstore.Container) {
	t.Helper()
	dev := FirstDevice(t, c)
	if dev.ID != nil {
		t.Fatalf("new store holds device %v", dev.ID)
	}
	dev.ID = &types.JID{User: User, Device: 3, Server: types.DefaultUserServer}
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := c.PutDevice(t.Context(), dev); err != nil {
		t.Fatal(err)
	}
}
