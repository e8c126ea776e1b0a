package telegram

import (
	"context"
	"time"
)

// SetSleep replaces the adapter's waits (pacing and 429s), so that tests
// record them instead of sleeping.
func SetSleep(a *Adapter, fn func(ctx context.Context, d time.Duration) error) { a.sleep = fn }

// Queued counts the tasks waiting in a chat's queue behind the one
// running: tests wait on it to know that a Send is queued.
func Queued(a *Adapter, chat int64) int {
	return a.chats.Waiting(chat)
}

// EncodeKept is an inbox value as the adapter writes it, for tests that
// fill an inbox as a killed poller left it.
func EncodeKept(received time.Time, raw []byte) []byte { return encodeKept(received, raw) }
