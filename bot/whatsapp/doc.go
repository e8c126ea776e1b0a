// Package whatsapp is the WhatsApp channel, through a linked device
// (whatsmeow, the multi-device web protocol). It translates an incoming
// events.Message into a neutral flows.Msg and a flows.Reply back into
// WhatsApp text: choices as a numbered list with a "Répondez 1, 2 ou 3"
// line, since WhatsApp Web devices cannot rely on interactive buttons. The
// engine reads the typed answer to its own questions ("2", "deux", "2️⃣", a
// label); this package forwards the text. The one exception is a push
// (Adapter.Send, bot.Sender), whose list the engine does not know: until
// the conversation shows a list of its own, a number or a label typed next
// is mapped here to the push's choice.
//
// It also keeps the device store (SQLite by default, PostgreSQL by URL),
// links a device (QR code or phone pairing code, LinkDevice) and keeps the
// connection up; Settings and Start run the channel from the command's
// settings. Each chat's messages and pushes go through one queue
// (bot.Chats, at most maxQueued waiting).
//
// It imports flows, geo, bot and whatsmeow; it must not import store,
// configs or cmd (its tests do, to replay real conversations).
package whatsapp
