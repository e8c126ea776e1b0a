package flows

import (
	"strconv"

	"github.com/secours/secours/geo"
)

// Catalogue keys used by the engine. Question and answer labels are built
// from the diagnostic tables: "q.<question>", "q.<question>.aidant",
// "a.<question>.<answer>"; tips are "tip.<need>.<country>.<n>".
const (
	kWelcome        = "welcome"
	kAidantIntro    = "aidant.intro"
	kBarrierNote    = "q.barrier.note"
	kOnlineExample  = "q.online_done.example." // + country
	kResultSelf     = "result.self"
	kResultAidant   = "result.aidant"
	kConfPrefix     = "conf."           // + high | medium | low
	kProfilePrefix  = "profile."        // + profile key
	kWhySelfSuffix  = ".self"           // why.<key>.self: the person's plain view
	kTipSafety      = "tip.safety."     // + country
	kTipAssistance  = "tip.assistance." // + country: besoin_assistance overlay
	kTipBorrowed    = "tip.borrowed_phone"
	kTipDontShare   = "tip.dont_share"
	kTipAidantLinks = "tip.aidant_links." // + country: Les Bons Clics / 123 Digit
	kLocationBtn    = "location.button"
	kLocUnknown     = "location.unknown"
	kLocUnknownWord = "location.unknown_word" // a word, not a postcode, that names no place
	kNeedTaken      = "need.taken"            // {need}: a need typed after the "Autre chose" tip
	kLocSuggest     = "location.suggest"
	kLocOutside     = "location.outside"
	kLocBadPoint    = "location.bad_point"
	kRedoIntro      = "redo.intro"
	kNoMoreTips     = "tips.none"
	kPlacesBest     = "places.best"
	kPlacesOthers   = "places.others"
	kPlacesKM       = "places.km"
	kPlacesKMApprox = "places.km_approx"
	kPlacesHere     = "places.here"
	kNoteLabel      = "places.note.label"
	kNoteMission    = "places.note.mission"
	kNoteBorder     = "places.note.border"
	kHoursOpen      = "hours.open_until"
	kHoursToday     = "hours.opens_today"
	kHoursTomorrow  = "hours.opens_tomorrow"
	kHoursDay       = "hours.opens_day"
	kHoursUnknown   = "hours.unknown"
	kHoursRaw       = "hours.raw"
	kDayPrefix      = "day."      // + 0 (Sunday) … 6
	kFallback       = "fallback." // + country
	kConsentWhat    = "consent.what"
	kConsentNo      = "consent.no"
	kEnd            = "end"
	kEndAidant      = "end.aidant"
	kAbout          = "about"
	kHelp           = "help"
	kHumanPlace     = "human.place"
	kHumanPrefix    = "human." // + country, or "any"
	kReask          = "reask"
	kTooLong        = "too_long"
	kMedia          = "media.unsupported"
	kCmdUnknown     = "command.unknown"
	kResume         = "resume"
	kCorrupt        = "restart.corrupt"
	kDeleted        = "data.deleted"
	kErrorStore     = "error.store"
	kErrorGeneric   = "error.generic"
	kLangChanged    = "lang.changed"
)

// Nav choices: the escape row of docs/diagnostic.md F.5, on every screen.
const (
	navBack  = "nav:back"
	navHelp  = "nav:help"
	navHuman = "nav:human"
	navMenu  = "nav:menu" // relay mode's only button: its menu (issue 17)
)

// shortSuffix marks the short variant of a message, used when the person
// prefers short messages or voice (Q7).
const shortSuffix = ".short"

// shortKeys are the messages that have a short variant.
var shortKeys = []string{kWelcome, "q.location", "q.location.aidant", "q.consent", kConsentWhat, kHelp,
	kFallback + "BE", kFallback + "FR", kFallback + "BE" + aidantSuffix, kFallback + "FR" + aidantSuffix,
	kMedia, kTooLong}

// aidantSuffix marks the variant of a message for an aidant, who answers
// for someone else: it speaks of "la personne" / "de persoon" where the
// plain message says "moi", "vous", "mijn" or "u".
const aidantSuffix = ".aidant"

// aidantKeys are the answer labels and result and place-list messages
// with an aidant variant (turn.aidantKey picks it). Questions have theirs
// too, "q.<question>.aidant", chosen where they are asked. The first-aid
// and safety tips stay as they are: they are the words to pass on to the
// person, as the hand-over card does.
func aidantKeys() []string {
	return []string{
		"a.device.none", "a.internet.mobile", "a.feeling.ease", "a.feeling.fear", "a.feeling.lost",
		"a.online_done.alone", "a.online_done.other_does", "a.reading.reader", "a.location.not_me",
		kTipAssistance + "BE", kTipAssistance + "FR", kPlacesBest, kPlacesHere, kLocOutside,
		kFallback + "BE", kFallback + "FR", kHumanPrefix + "BE", kHumanPrefix + "any",
	}
}

// staticKeys lists the keys that are not derived from the diagnostic tables.
func staticKeys() []string {
	keys := []string{
		kWelcome, kAidantIntro, kBarrierNote,
		kOnlineExample + "BE", kOnlineExample + "FR",
		kResultSelf, kResultAidant,
		kConfPrefix + "high", kConfPrefix + "medium", kConfPrefix + "low",
		kTipSafety + "BE", kTipSafety + "FR", kTipAssistance + "BE", kTipAssistance + "FR",
		kTipBorrowed, kTipDontShare, kTipAidantLinks + "BE", kTipAidantLinks + "FR",
		kLocationBtn, kLocUnknown, kLocUnknownWord, kNeedTaken, kLocSuggest, kLocOutside, kLocBadPoint, kRedoIntro, kNoMoreTips,
		kPlacesBest, kPlacesOthers, kPlacesKM, kPlacesKMApprox, kPlacesHere,
		kNoteLabel, kNoteMission, kNoteBorder,
		kHoursOpen, kHoursToday, kHoursTomorrow, kHoursDay, kHoursUnknown, kHoursRaw,
		kDayPrefix + "0", kDayPrefix + "1", kDayPrefix + "2", kDayPrefix + "3",
		kDayPrefix + "4", kDayPrefix + "5", kDayPrefix + "6",
		kFallback + "BE", kFallback + "FR",
		kConsentWhat, kConsentNo,
		kEnd, kEndAidant, kAbout, kHelp, kHumanPlace, kHumanPrefix + "BE", kHumanPrefix + "FR", kHumanPrefix + "any",
		kReask, kTooLong, kMedia, kCmdUnknown, kResume, kCorrupt, kDeleted,
		kErrorStore, kErrorGeneric, kLangChanged,
		"nav.back", "nav.help", "nav.human", "nav.help.lang", "nav.human.lang",
	}
	for _, k := range aidantKeys() {
		keys = append(keys, k+aidantSuffix)
	}
	return append(keys, weekKeys()...)
}

// Keys of the referral steps and notices (issue 8).
const (
	kPick              = "q.pick"
	kContact           = "q.contact"
	kPhonePrefix       = "q.phone." // + country [+ ".aidant"]
	kPhoneInvalid      = "phone.invalid"
	kReferralRelay     = "referral.sent.relay"
	kReferralPhone     = "referral.sent.phone"
	kReferralWithdrawn = "referral.withdrawn"
	kReferralFailed    = "referral.failed"
	kCancelNone        = "referral.none"
	kRelaySent         = "relay.sent"
	kRelayClosed       = "relay.closed"
	kRelayFailed       = "relay.failed"
	kStructureUsage    = "structure.usage"
	kStructureLinked   = "structure.linked"
	kStructureBadCode  = "structure.bad_code"
	kNoticePrefix      = "notice."  // + status, "message", "next", "none_left"
	kDeclinePrefix     = "decline." // + reason
)

// Keys of a place that cannot receive a referral, and of "/oubli" when
// copies reached a structure (issues 15, 16).
const (
	kNoChannelPhone = "nochannel.phone" // [+ ".aidant"]
	kNoChannelVisit = "nochannel.visit" // [+ ".aidant"]
	kCardShow       = "card.show"
	kDeletedCopies  = "data.deleted.copies"
)

// Keys of the hand-over card (issue 9).
const (
	kCardTitle = "card.title"
	kCardPlace = "card.place"
	kCardHours = "card.hours"
	kCardPhone = "card.phone"
	kCardBring = "card.bring"
)

// Keys of a place's week on the hand-over card (issue 9): "lun–ven
// 9 h–12 h, 13 h 30–17 h ; sam 10 h–12 h".
const (
	kDayShort   = "day.short."        // + 0 (Sunday) … 6, as kDayPrefix
	kWeekRange  = "hours.week.range"  // {from}–{to}: days or times
	kWeekLine   = "hours.week.line"   // {days} {times}
	kWeekSep    = "hours.week.sep"    // between runs of days
	kWeekAlways = "hours.week.always" // open round the clock
)

// weekKeys lists the keys of a place's week.
func weekKeys() []string {
	keys := []string{kWeekRange, kWeekLine, kWeekSep, kWeekAlways}
	for d := range 7 {
		keys = append(keys, kDayShort+strconv.Itoa(d))
	}
	return keys
}

// referralKeys lists the keys of the referral steps and notices.
func referralKeys() []string {
	keys := []string{kPick, "a.pick.none", kContact, kContact + ".aidant", "a.contact.relay", "a.contact.phone",
		kPhonePrefix + "BE", kPhonePrefix + "FR", kPhonePrefix + "BE.aidant", kPhonePrefix + "FR.aidant",
		kPhoneInvalid, kReferralRelay, kReferralPhone, kReferralWithdrawn, kReferralFailed, kCancelNone,
		kRelaySent, kRelayClosed, kRelayFailed, kStructureUsage, kStructureLinked, kStructureBadCode,
		"a.done.cancel", "a.done.card",
		kCardTitle, kCardTitle + aidantSuffix, kCardPlace, kCardHours, kCardPhone, kCardBring, kCardBring + ".aidant",
		kNoChannelPhone, kNoChannelPhone + ".aidant", kNoChannelVisit, kNoChannelVisit + ".aidant", kCardShow, kCardShow + aidantSuffix, kDeletedCopies}
	for _, n := range []string{"seen", "accepted", "declined", "contacted", "closed", "expired", "message", "next", "none_left", ReasonUndeliverable, ReasonRemoved} {
		keys = append(keys, kNoticePrefix+n)
	}
	for _, r := range DeclineReasons {
		keys = append(keys, kDeclinePrefix+r)
	}
	return keys
}

// Keys of relay mode's menu and of the "are you sure?" questions (issue
// 17).
const (
	kNavMenu       = "nav.menu"
	kRelayHint     = "relay.hint"
	kMenu          = "q.menu"
	kConfirmPrefix = "q.confirm." // + cancel | restart | start
)

// relayKeys lists the keys of relay mode's menu and of the confirmations.
func relayKeys() []string {
	keys := []string{kNavMenu, kRelayHint, kMenu, "a.menu.write"}
	for _, act := range confirmActions {
		keys = append(keys, kConfirmPrefix+act, "a.confirm."+act+".no", "a.confirm."+act+".yes")
	}
	return keys
}

// Keys of what a person gets from the directory (issue 15): what kind of
// place a card shows and why it fits, the partial fits of D.3.7, the
// CPAS/OCMW card without a street, and the question when a postcode
// covers several communes.
const (
	kPlacesPartial = "places.partial"        // header when nothing fits in full
	kPartialRemote = "places.partial.remote" // {help}: remote help after them (D.3.7 c)
	kAboutHelps    = "places.about.helps"    // {offers}: why a card's place fits
	kAboutPartial  = "places.about.partial"  // {offers} {lacks}
	kAboutLacks    = "places.about.lacks"    // {lacks}: a partial fit that names nothing it offers
	kPlacesMap     = "places.map"            // the label of a card's directions button
	kCPASAddress   = "places.cpas.address"   // {commune}: no street known
	kKindPrefix    = "place.kind."           // + geo.Kind*
	kServicePrefix = "service."              // + serviceKeys value
	kListSep       = "list.sep"              // between services
	kCommuneAsk    = "q.commune"             // which commune, as buttons
)

// serviceKeys names each service of the standard in the catalogues, in
// plain words ("faire vos démarches").
var serviceKeys = map[string]string{
	geo.ServiceProcedures: "procedures", geo.ServiceEveryday: "everyday", geo.ServiceJob: "job",
	geo.ServiceSafety: "safety", geo.ServiceParenting: "parenting", geo.ServiceLeisure: "leisure",
	geo.ServiceCulture: "culture", geo.ServiceAccess: "access", geo.ServiceEquipment: "equipment",
}

// matchKeys lists the keys of what a person gets from the directory.
func matchKeys() []string {
	keys := []string{kPlacesPartial, kPlacesPartial + aidantSuffix, kPartialRemote,
		kAboutHelps, kAboutPartial, kAboutLacks, kPlacesMap, kCPASAddress, kListSep,
		kCommuneAsk, kCommuneAsk + aidantSuffix}
	for _, k := range []string{geo.KindCPAS, geo.KindFranceServices, geo.KindDigipunt, geo.KindEPN, geo.KindLibrary, geo.KindOther} {
		keys = append(keys, kKindPrefix+k)
	}
	keys = append(keys, kKindPrefix+geo.KindCPAS+aidantSuffix)
	for _, v := range serviceKeys {
		keys = append(keys, kServicePrefix+v)
	}
	return keys
}
