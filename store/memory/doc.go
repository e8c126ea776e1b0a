// Package memory keeps sessions in the process, encoded, behind one mutex.
// It is the store used when no Redis is configured (a single replica whose
// sessions end with the process), and by golden-transcript tests with a
// fixed clock.
//
// It imports flows only: it must not import bot, cmd or another store.
package memory
