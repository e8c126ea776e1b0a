package fleet

// Script is one simulated person's conversation: the buttons pressed in
// order, the postcode typed, then the place picked, the consent and the
// way to be contacted. No presses after the postcode means no place fits:
// the conversation must end on the honest fallback, or, with HandOver, on
// the hand-over card of a place that cannot receive a referral.
type Script struct {
	Profile  string
	Lang     string // Telegram language_code
	Answers  []string
	Postcode string
	Refer    []string
	// HandOver: the place shown cannot receive a referral (no e-mail, no
	// linked chat), so the conversation ends on the hand-over card.
	HandOver bool
}

// Steps is the number of updates the person sends: /start, each answer,
// the postcode and each press after it. Every one is answered by exactly
// one question (a message with buttons), the last by the end screen.
func (s Script) Steps() int { return 1 + len(s.Answers) + 1 + len(s.Refer) }

// Consents reports whether the script ends on a referral: the person, or
// the aidant for them, says yes.
func (s Script) Consents() bool {
	for _, k := range s.Refer {
		if k == "consent:yes" || k == "consent:aidant" {
			return true
		}
	}
	return false
}

// Scripts are the conversations people run, round robin: each profile in
// French and Dutch. grand_debutant asks for a beginners' workshop, and no
// open directory lists one yet (only administrative help): those people
// get the nearest partial help (docs/diagnostic.md D.3.7: France services, their
// own OCMW) and decline it.
func Scripts() []Script {
	// Referral presses: pick a place (when several are shown), consent,
	// and be answered here by message; or refuse.
	var (
		pickAndRelay  = []string{"pick:1", "consent:yes", "contact:relay"}
		pickAndRefuse = []string{"pick:2", "consent:no"}
		aidantRelay   = []string{"pick:1", "consent:aidant", "contact:relay"}
		onlyAndRefuse = []string{"consent:no"} // one place: nothing to pick
	)
	return []Script{
		{"autonome", "fr", []string{"lang:fr", "country:FR", "who:self", "need:banking", "device:computer",
			"internet:home", "skills:web", "online_done:alone", "feeling:ease", "reading:text", "barrier:none"}, "75011", pickAndRelay, false},
		{"proche_autonomie", "fr-FR", []string{"lang:fr", "country:FR", "who:self", "need:procedure", "device:smartphone",
			"internet:mobile", "skills:apps", "online_done:with_help", "feeling:fear", "reading:text", "barrier:none"}, "59000", pickAndRefuse, false},
		{"besoin_assistance", "fr", []string{"lang:fr", "country:FR", "who:pro", "need:procedure", "device:none",
			"internet:rarely", "skills:calls", "online_done:other_does", "feeling:lost", "reading:text", "barrier:none"}, "59000", aidantRelay, false},
		{"autonome", "nl", []string{"lang:nl", "who:self", "need:procedure", "device:computer",
			"internet:home", "skills:web", "online_done:alone", "feeling:ease", "reading:text", "barrier:none"}, "2000", nil, true},
		{"proche_autonomie", "nl-BE", []string{"lang:nl", "who:self", "need:procedure", "device:smartphone",
			"internet:mobile", "skills:apps", "online_done:with_help", "feeling:fear", "reading:text", "barrier:none"}, "2000", nil, true},
		{"besoin_assistance", "nl", []string{"lang:nl", "who:relative", "need:banking", "device:none",
			"internet:rarely", "skills:calls", "online_done:other_does", "feeling:lost", "reading:voice", "barrier:memory"}, "2000", nil, true},
		{"grand_debutant", "fr", []string{"lang:fr", "country:FR", "who:self", "need:learning", "device:smartphone",
			"internet:mobile", "skills:calls", "online_done:never", "feeling:lost", "reading:text", "barrier:none"}, "59000", onlyAndRefuse, false},
		{"grand_debutant", "nl", []string{"lang:nl", "who:self", "need:other", "device:basic_phone",
			"internet:rarely", "skills:apps", "online_done:never", "feeling:lost", "reading:text", "barrier:none"}, "3000", nil, true},
	}
}
