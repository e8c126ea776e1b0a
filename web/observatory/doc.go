// Package observatory shows territories and networks (communes, CPAS,
// EPN networks, funders) what their public needs, in anonymous counts per
// commune and month (issue 9, part 4): how many conversations, which
// profiles and urgent needs, how many through an aidant or a structure's
// share code, how many referrals were sent, accepted and closed, and how
// soon structures accepted them.
//
// The counts are added at write time (flows.Tally, flows.StatsStore): no
// per-person record is kept for them. Build turns the cells of a range
// into a Report and hides small counts (see Build for the rule), so that a
// number on the page never singles out a person in a small commune. The
// page (GET /obs/{token}) and its CSV export are for network coordinators
// and open with one token, configured as its SHA-256 only; the CLI
// ("secours stats") prints the same report (Print, PrintToken).
//
// Like the structures' page it is plain server-rendered HTML: no script,
// one inline style sheet allowed by its hash, charts as inline SVG, no
// external resource, readable on a phone and printable, in French or
// Dutch. Every word is in configs/i18n/observatory.<lang>.json, except the
// profiles and needs, named as the bot names them (the bot catalogues).
//
// It imports flows and web (the client address behind a trusted
// proxy, the bad-token limit it shares with the structures' page) only:
// it must not import store, configs or cmd, which hand it the store, the
// texts and the templates.
package observatory
