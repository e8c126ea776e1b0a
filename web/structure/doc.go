// Package structure is the help structures' page: Web serves the list of
// a structure's referrals with the actions it may take, works on a Desk
// (the referral service, which implements it), and renders the mails and
// chat messages that carry the page's link.
//
// Structures have no IT staff: they work from an e-mail and a web page on
// a phone or an old PC. So the page is plain server-rendered HTML (no
// script, one inline style sheet, no external resource, readable 320 px
// wide), in French or Dutch, and reached through a magic link /s/<token>
// that needs no account. Because the token is the only credential and
// sits in the URL, the page never logs a path (only the route pattern),
// sends no Referer, is never cached, answers one identical 404 for every
// bad token, and rate-limits the bad tokens of each client (package web;
// a valid token is never limited). A GET changes nothing: a mail scanner
// opens links too. A form is read only once its token proved good, within
// a few seconds. Forms carry an HMAC of the token under a key derived from
// a secret every instance shares and rotated weekly, and go through
// net/http's cross-origin check (web.CSRF); each action answers with a
// redirect (Post/Redirect/Get), so a reload never posts twice and a double
// click is harmless.
//
// Every word the page and the mails show is in configs/i18n/structure.<lang>.json
// (both languages, the same keys and placeholders), except the wording of
// a referral's need, profile, why and confidence, which comes from the bot
// catalogues so that the structure reads what the bot decided. The
// templates are configs/web/*.tmpl. A referral's chat id never reaches a
// page, a mail or a log.
//
// With the bot's Telegram username or WhatsApp number, the page also has a
// share section (issue 9): the links that start the bot with the
// structure's code, their QR codes, and a poster to print (web/share).
//
// With Cards (package network's service, issue 19), the page links to a
// form, /s/<token>/card, where the structure corrects its own card:
// hours in the standard's horaires form, closures ("fermé du 24/12 au
// 2/1"), phone, e-mail for referrals, services, languages, accessibility
// and "temporarily closed". A refused card comes back as typed with each
// problem at its field; a saved one shows what changed.
//
// It imports flows, geo, network (its types), web and web/share; it must not import store,
// configs or cmd: they hand it the desk, the embedded templates and texts
// (configs.Web and configs.FS) and the catalogues.
package structure
