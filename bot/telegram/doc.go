// Package telegram is the Telegram channel: it turns Bot API updates into
// flows.Msg, hands them to a bot.Conversation and sends the flows.Reply
// values back as Telegram messages, and nothing else (no wording of its own
// beyond configs/i18n/telegram.<lang>.json, no business rules).
//
// Updates arrive by long polling (getUpdates, driven here over net/http so
// that the offset is confirmed only for updates that were handled) or by a
// webhook (Adapter.WebhookHandler). Each chat has one queue (bot.Chats,
// with the flood rule maxWaiting): its updates are handled and answered
// in order, one at a time, while chats run in parallel. For the chats of the last half hour it remembers what each
// shows (its newest question message, and whether the location keyboard
// is up): enough to mark a pressed question only when the engine took the
// answer, and to take the location keyboard away. Losing that (a restart)
// leaves a question unmarked or the keyboard up, never a wrong mark.
// Every send goes through the go-telegram/bot client, paced by token
// buckets (about 30 messages a second overall, 1 a second per chat with
// short bursts); a 429 is waited out and resent, a 403 (the person
// blocked the bot) is logged and dropped.
//
// Adapter.Send (bot.Sender) pushes replies outside a turn: a structure's
// answer, a status change. A push goes through the chat's queue like an
// update, so it never interleaves with an answer, and the caller waits for
// it; a chat gone (403, "chat not found") is reported as
// bot.ErrUnreachable instead of being logged.
//
// Settings and Start set the channel up from the command's settings: long
// polling, under a polling lease when the processes share a store
// (Leases, which the command adapts from the Redis store), or the webhook
// on the command's HTTP server.
//
// It imports flows, geo (for geo.Point) and bot only; it must not import
// store or cmd.
// The telegramtest subpackage is a fake of the Bot API for tests and the
// load tool.
package telegram
