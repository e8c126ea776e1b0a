// Package bot holds what every channel adapter shares: the Runner that
// turns one neutral flows.Msg into replies through the engine and the
// session store, and the per-chat Serializer. The adapters live in
// subpackages (console, later telegram and whatsapp); each translates its
// channel's updates to flows.Msg and flows.Reply back, and nothing else.
//
// It imports flows only; it must not import store or cmd.
package bot
