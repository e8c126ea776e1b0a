// Package storetest is the contract suite of flows.SessionStore: every
// store runs storetest.Run from its tests, so the memory store and the
// Redis store behave alike (revisions, conflicts, corrupt values, no lost
// update under concurrency).
//
// It imports flows, network, geo and the standard library only: it must
// not import bot, cmd or a store.
package storetest
