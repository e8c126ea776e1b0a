// Package text holds what every surface of Secours shares about words: the
// one shape and loader of the message catalogues (configs/i18n), their
// checks, the filling of {placeholders}, the folding of accents and case
// (Fold), calendar months (Month), opening hours put into words
// (HoursWords) and the rule for the language a place is addressed in
// (PlaceLang).
//
// It imports only the standard library and golang.org/x/text: geo, flows
// and bot import it, so it must not import geo, flows, bot, store or
// configs, and it is passed an fs.FS for the catalogues.
package text
