// Package flows holds the first-aid conversation: the neutral message
// types, the session, the reference diagnostic and the finite-state
// engine that turns one incoming message into replies.
//
// It is pure and deterministic: the clock is passed in, and it does no I/O
// except through the SessionStore interface in Engine.Handle. It must not
// import bot, store, configs or cmd; its data (catalogues, places) is
// passed in.
//
// The engine (engine.go: Step and the turn that reads one message) is
// split by phase, each file with its own transition table: diagnose.go
// (the questions of docs/diagnostic.md A and B and the result; scoring in
// diagnostic.go), locate.go and cards.go (the location, the commune, the
// place cards), refer.go (consent, contact, phone, the end, relay mode,
// its menu and "are you sure?") and navigate.go (the escapes of every
// step, the commands, the pause). states.go assembles the tables into
// the FSM every move goes through: a move no table declares is refused.
package flows
