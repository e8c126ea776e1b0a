// Package referral owns a referral's whole life once the person consents
// (docs/diagnostic.md G, issue 8): it creates it, holds back its first
// mail, delivers it to the structure by e-mail and to a linked chat,
// reminds the structure once, expires it, relays messages both ways,
// withdraws and forgets it at the person's request, and deletes it when
// its retention ends.
//
// The conversation decides and this package acts: flows builds the
// Referral record from the session (pure) and asks for the changes
// through flows.Referrals, which Ledger implements; a Service embeds a
// Ledger whose changes wake its sweep, so new work never waits for the
// next poll. The Service also serves what the structures' page
// (web/structure) and the command line ask (desk.go): the page's token,
// the list, a structure's answer, its message, the chat link codes, a new
// link. The page renders the mails and chat summaries for it (Renderer),
// since they carry its wording and its link.
//
// Every change schedules the referral's next sweep (Referral.DueAt, from
// flows.Policy); a sweep claims each delivery before sending, so two
// instances never both send one mail, and a failure keeps the mail queued
// with a backoff. A referral's chat id never reaches a structure, a mail or
// a log.
//
// It imports flows, geo, bot (the channels' Sender) and referral/mail; it
// must not import store, configs, web or cmd: cmd hands it the stores
// (Store, which store/memory and store/redis implement), the page and the
// mailer.
package referral
