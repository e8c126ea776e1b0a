// Package bot holds what every channel shares: the Runner that turns one
// neutral flows.Msg into replies through the engine and the session store,
// the per-chat Serializer, and Chats, the one per-chat worker (order and
// flood rule) every channel queues its updates and pushes on. The channels
// live side by side in subpackages (console, telegram, whatsapp on a
// linked device, wacloud on Meta's Cloud API); each translates its updates
// to flows.Msg and flows.Reply back, and nothing else. bot/channeltest
// runs one table of incoming events against all of them.
//
// What more than one channel needs lives here once: the token bucket that
// paces sends (Bucket), a reply's language told by its labels (Langs), the
// numbered text of the channels without buttons (WriteNumbered,
// NumberList, Split), and the list a push left open with the typed answer
// mapped back to it (Pushed, ListNumber).
//
// It imports flows only; it must not import store or cmd.
package bot
