package channeltest

import (
	"context"
	"testing"

	"github.com/secours/secours/flows"
)

// Referrals is what OnlyReferral reads of a store: referral.Store's two
// lookups, declared here so that the kit need not import referral.
type Referrals interface {
	ChatReferrals(ctx context.Context, chat flows.ChatID) ([]string, error)
	Referral(ctx context.Context, id string) (flows.Referral, error)
}

// OnlyReferral returns the referral of chat in st, and fails the test
// unless there is exactly one: a conversation that ended on a consent
// made one, and no second.
func OnlyReferral(t testing.TB, st Referrals, chat flows.ChatID) flows.Referral {
	t.Helper()
	ids, err := st.ChatReferrals(t.Context(), chat)
	if err != nil || len(ids) != 1 {
		t.Fatalf("referrals of the chat: %v, %v", ids, err)
	}
	r, err := st.Referral(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	return r
}
