// Package store holds the implementations of flows.SessionStore, one
// subpackage per backend:
//
//   - memory keeps sessions in the process: the default when no Redis is
//     configured, and the store of golden-transcript tests. Sessions are lost
//     when the process stops, and it serves one replica only.
//   - redis keeps them in Redis (single server, Sentinel or Cluster), so a
//     conversation survives a restart and several replicas can share it; its
//     Save compares and sets the revision atomically.
//
// storetest is the contract suite both pass, and redis/redistest the one
// Redis helper of the tests. This package itself holds the rules both
// backends apply, written once (CheckNew, CheckCounts, SortCells). cmd
// picks one of them.
//
// The packages under store import flows and their backend only: they must
// not import bot or cmd (imports point inward: cmd → bot, store → flows).
package store
