// Package share makes what a help structure hands out so that people
// start Secours from it (issue 9): the Telegram and WhatsApp links that
// carry the structure's code (flows.ShareCode), their QR codes as PNG and
// SVG, and a poster to print on A4.
//
// The people the poster is for scan a code and read three plain
// sentences; the structures that print it have an old printer and no IT
// staff. So the poster is one self-contained HTML page (no script, no
// external resource, the QR codes drawn inline as SVG, one inline style
// sheet that a CSP hash allows) that any browser prints on one A4 page,
// in French, in Dutch, or in both side by side.
//
// Every word is in configs/i18n/share.<lang>.json (both languages, the same keys
// and placeholders) and the markup in configs/web/poster.tmpl; cmd hands
// both to New, like the structure's page gets its own.
//
// It imports flows (for the share code) and geo (the place the share
// command, Make, writes for); it must not import store, configs, cmd or
// the channel adapters.
package share
