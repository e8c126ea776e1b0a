package whatsapp

import (
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/flows"
)

// benchReply is a question with 4 choices and the escape row.
func benchReply(tb testing.TB) flows.Reply {
	_, cats := channeltest.Engine(tb)
	fr := cats[flows.FR]
	return flows.Reply{
		Text: fr["q.device"],
		Choices: []flows.Choice{
			{Key: "device:computer", Label: fr["a.device.computer"]},
			{Key: "device:smartphone", Label: fr["a.device.smartphone"]},
			{Key: "device:basic_phone", Label: fr["a.device.basic_phone"]},
			{Key: "device:none", Label: fr["a.device.none"]},
		},
		Nav: []flows.Choice{
			{Key: "nav:back", Label: fr["nav.back"]},
			{Key: "nav:help", Label: fr["nav.help"]},
			{Key: "nav:human", Label: fr["nav.human"]},
		},
		Question: "device",
	}
}

// BenchmarkTranslate: an incoming "2" to the neutral message.
func BenchmarkTranslate(b *testing.B) {
	a, _ := newAdapter(b, &channeltest.Recorder{}, nil)
	evt := event(beDesk, "3EB0C767D71D", text("2"))
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		in, skip := a.translate(ctx, evt)
		if skip != "" || in.msg.Text != "2" {
			b.Fatal(in.msg, skip)
		}
	}
}

// BenchmarkRender: a 4-choice question with the escape row to WhatsApp
// text, and the same reply through the console adapter for the ratio.
func BenchmarkRender(b *testing.B) {
	a, _ := newAdapter(b, &channeltest.Recorder{}, nil)
	r := benchReply(b)
	for _, bb := range []struct {
		name   string
		render func(*strings.Builder, flows.Reply)
	}{{"whatsapp", a.Render}, {"console", console.Render}} {
		b.Run(bb.name, func(b *testing.B) {
			var sb strings.Builder
			b.ReportAllocs()
			for b.Loop() {
				sb.Reset()
				bb.render(&sb, r)
			}
		})
	}
}
