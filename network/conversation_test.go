package network_test

import (
	"context"
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

// TestOnRemoved: a publish that drops a place, and an undo that drops the
// places it had added, tell OnRemoved which (cmd re-offers their pending
// referrals).
func TestOnRemoved(t *testing.T) {
	clock := testkit.NewClock(t0)
	s := newService(t, nil, clock)
	var told [][]string
	s.OnRemoved(func(_ context.Context, ids []string) { told = append(told, ids) })
	publish(t, s, network.CSVFile(t, network.Epn("1"), network.Epn("2")))
	if len(told) != 0 {
		t.Fatalf("a publish that adds told removals %v", told)
	}
	publish(t, s, network.CSVFile(t, network.Epn("2")))
	if len(told) != 1 || len(told[0]) != 1 || told[0][0] != "epn/1" {
		t.Fatalf("after removing epn/1: told %v", told)
	}
	if err := s.Undo(t.Context(), "epn"); err != nil { // epn/1 is back: nothing removed
		t.Fatal(err)
	}
	if len(told) != 1 {
		t.Fatalf("an undo that brings a place back told %v", told[1:])
	}
	publish(t, s, network.CSVFile(t, network.Epn("1"), network.Epn("2"), network.Epn("3")))
	if err := s.Undo(t.Context(), "epn"); err != nil { // epn/3 goes
		t.Fatal(err)
	}
	if len(told) != 2 || len(told[1]) != 1 || told[1][0] != "epn/3" {
		t.Errorf("after undoing the publish that added epn/3: told %v", told)
	}
}
