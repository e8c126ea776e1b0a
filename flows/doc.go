// Package flows holds the first-aid conversation: the neutral message
// types, the session, the reference diagnostic and the finite-state
// engine that turns one incoming message into replies.
//
// It is pure and deterministic: the clock is passed in, and it does no I/O
// except through the SessionStore interface in Engine.Handle. It must not
// import bot, store, configs or cmd; its data (catalogues, places) is
// passed in.
package flows
