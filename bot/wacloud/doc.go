// Package wacloud is the WhatsApp channel on Meta's official WhatsApp
// Business Cloud API, beside bot/whatsapp (whatsmeow, a linked device) for
// the deployments that cannot risk losing their number. Meta posts each
// message and status to a signed webhook (web.Signed: the verify-token
// check, the X-Hub-Signature-256 HMAC); the adapter translates each
// message to a flows.Msg (chat "wc:<wa_id>"), answers it on the chat's
// worker (bot.Chats, in order) before the webhook's 200, and sends the
// replies as Graph API calls: reply buttons (3 at most), list messages (10
// rows at most), a location request, a location message after each place
// card, and the numbered text of bot/whatsapp where none of these fits.
//
// A push (Send, bot.Sender: a structure's answer, a reminder) to a person
// who last wrote more than 24 hours ago goes as an approved template
// (Settings.Templates), or waits in the Window until the person writes
// again: Meta refuses free messages outside that window.
//
// It speaks to the Graph API with net/http alone. The API is a handful of
// JSON endpoints (one POST to send, one webhook to read); small structs
// encode them, with no reflection over maps; we set the timeouts, the
// retries and the error classification ourselves, which are the part that
// matters (throughput, pair rate, re-engagement); and there is no module
// to track for an API that changes by versioned URL. The maintained
// client libraries (github.com/piusalfred/whatsapp among them) cover the
// whole API, media and business management, that we do not use.
//
// It imports flows, bot, text and web; it must not import store, configs
// or cmd (its tests do).
package wacloud
