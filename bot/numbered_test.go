package bot

import (
	"strings"
	"testing"

	"github.com/secours/secours/flows"
)

func TestNumberList(t *testing.T) {
	for n, want := range map[int]string{0: "", 1: "1", 2: "1 ou 2", 4: "1, 2, 3 ou 4"} {
		if got := NumberList(n, "ou"); got != want {
			t.Errorf("NumberList(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWriteNumbered: a card without text starts with its name, not with
// blank lines; the location line and the hint follow the list.
func TestWriteNumbered(t *testing.T) {
	var b strings.Builder
	WriteNumbered(&b, &flows.Reply{Places: []flows.PlaceCard{{Name: "CPAS", Phone: "02 515 66 11"}}}, "loc", "hint")
	if got := b.String(); got != "*🏢 CPAS*\n📞 02 515 66 11" {
		t.Errorf("card alone: %q", got)
	}
	b.Reset()
	WriteNumbered(&b, &flows.Reply{Text: "Où ?", AskLocation: true, Choices: []flows.Choice{{Key: "a", Label: "A"}},
		Nav: []flows.Choice{{Key: "b", Label: "Retour"}, {Key: "h", Label: "Aide"}}}, "loc", "Répondez 1")
	if got, want := b.String(), "Où ?\n\n1. A\nRetour · Aide\n\nloc\nRépondez 1"; got != want {
		t.Errorf("question: %q, want %q", got, want)
	}
}
