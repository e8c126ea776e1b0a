package flows

import (
	"encoding/json"
	"fmt"
)

// Sessions and referrals are stored as versioned JSON; these say how a
// stored value fails, the same for both (what: "session", "referral").

// encodeStored is v's stored JSON form.
func encodeStored(what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return b, nil
}

// decodeStored reads b into v; a value that does not decode gives
// corrupt.
func decodeStored(what string, b []byte, v any, corrupt error) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w: %w", what, corrupt, err)
	}
	return nil
}
