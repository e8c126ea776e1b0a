// Package network is a network's page (issue 19): the coordinators of a
// network of places (EPN de Wallonie, CABAN, Digipunten, a department's
// France services) keep their own places in the directory from it, with
// no developer. GET /net/<token> lists the network's places (when each
// was last confirmed, flagged after 12 months; closed; corrected by the
// structure itself), the form to upload the network's file and the last
// changes. Uploading checks the file (POST /net/<token>/check) and leads
// to its draft, /net/<token>/draft/<id>: the report line by line (line,
// column, what is wrong, how to fix it; blocking or warning) and the
// preview of what would change (places added, changed with their fields
// old → new, removed), with a Publish button when nothing blocks. The
// page also undoes the network's last publish.
//
// Like the observatory and the structures' page, it is plain
// server-rendered HTML for people with no IT staff: no script, one inline
// style sheet allowed by its hash, readable on a phone, in French or
// Dutch (Accept-Language, ?lang=). The token is the only credential and
// sits in the URL (package web: no path in a log, no Referer, no cache,
// one 404 for every bad token and a limit of bad tokens per client);
// every form carries web.CSRF's field and goes through its cross-origin
// check; the file is bounded at 10 MB and a larger one gets a plain
// message. Every word is in configs/i18n/network.<lang>.json; the
// markup is configs/web/network.tmpl.
//
// It works on a Service (package network's *Service implements it) and
// imports network (its types), text and web only: cmd hands it the
// service, the texts and the templates.
package network
