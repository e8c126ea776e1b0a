// Package telegramtest is a fake of the Telegram Bot API, for tests and
// the load tool: an httptest server on loopback that records every call
// with its decoded parameters, serves the updates a test pushes to
// getUpdates (long polling included), keeps what each chat shows, and can
// answer 429 or 403 on demand. It checks what the real API checks that a
// bot could get wrong: text length, empty text, callback data length.
//
// It imports the go-telegram/bot models only; nothing of Secours.
package telegramtest
