// Package fleet runs several secours processes in webhook mode on
// loopback, sharing one Redis and one fake Bot API, and drives simulated
// people through whole conversations across them the way Telegram does:
// each update is POSTed to one instance, and posted again after a wait
// when that instance fails to answer; or, with ChannelCloud, the way
// Meta's Cloud API does, through a Rotator in front of the instances.
// The load tool (cmd/loadtest) and the multi-instance tests of
// cmd/secours share it, so that both run the same people against the
// same checks.
//
// It runs the secours binary and talks to it over HTTP only: it must not
// import cmd/secours, flows, or bot but its fakes (telegramtest,
// wacloudtest). It imports store/redis for ParseURL alone, to remove a
// run's keys.
package fleet
