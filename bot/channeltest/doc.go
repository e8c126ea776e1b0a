// Package channeltest is the channels' shared test kit, in the manner of
// nyaruka/courier's handler tests: one table of incoming events (Incoming:
// text, button press, location, sticker, voice note, edit, duplicate
// delivery, command) that Run plays against every channel through a small
// Driver each channel's tests provide (deliver this event, return what
// the person was sent). Each case asserts the same neutral outcome for
// every channel (what reached the engine, whether the person got an
// answer), with the channel-specific translation spelt out where the
// channels legitimately differ (Case.Differs). It also holds the helpers
// the channels' tests shared by copy: a sink for concurrent writers (Buffer),
// the real engine with its catalogues, loaded once (Engine), and a chat's
// one referral (OnlyReferral).
//
// It imports bot, flows, geo and configs only: no channel, so each
// channel's tests may import it.
package channeltest
