package network_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/network"
	"github.com/secours/secours/store/memory"
)

// TestPublishedPlaceInConversation: the bot itself (the engine on the
// live directory, as cmd wires it) proposes a place the moment its
// network publishes it, and no more once the network undoes it.
func TestPublishedPlaceInConversation(t *testing.T) {
	e, base, live, err := configs.EngineAndLive()
	if err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(t0)
	s, err := network.New(network.Options{Store: memory.NewNetworks(clock.Now), Base: base, Live: live,
		Texts: network.Texts(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sessions := memory.New(time.Hour, nil)
	conversation := func(chat string) string {
		var all []string
		for i, txt := range []string{"x", "fr", "belgique", "moi", "démarches", "smartphone seul", "sur le telephone",
			"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "1000"} {
			out, err := e.Handle(t.Context(), flows.Stores{Sessions: sessions},
				flows.Msg{Chat: flows.ChatID(chat), ID: strconv.Itoa(i), Kind: flows.KindText, Text: txt}, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Replies {
				all = append(all, r.Text)
				for _, c := range r.Places {
					all = append(all, flows.CardLines(c)...)
				}
			}
		}
		return strings.Join(all, "\n")
	}
	const name = "EPN Zéphyr"
	if strings.Contains(conversation("tg:1"), name) {
		t.Fatal("the place is proposed before its network published it")
	}
	publish(t, s, network.CSVFile(t, network.With(network.Epn("z"), "nom", name)))
	if got := conversation("tg:2"); !strings.Contains(got, name) {
		t.Errorf("a published place is not proposed in Brussels 1000; the bot said:\n%s", got)
	}
	if err := s.Undo(t.Context(), "epn"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(conversation("tg:3"), name) {
		t.Error("the place is still proposed after its network undid the publish")
	}
}
