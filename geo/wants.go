package geo

import (
	"slices"
)

// Wants is D.2 for one person: the services and modalities that fit.
type Wants struct {
	Base         string   // hard filter (D.3.2)
	NeedServices []string // +3 when the place offers all of them
	Modalities   []string // preference order: +2 first, +1 second
	AddOns       []string // material add-ons; +2 when the place offers one
	SpecificCare []string // +2 when the place offers one
	Programmes   []string // preferred dispositifs in order; +1, then rank
	Labels       []string // preferred formations_labels; +1 like a dispositif
	// Related are the services that help in part when no place offers
	// Base (D.3.7 a): the need services, the profile's kind of help (D.2:
	// a procedure for proche_autonomie, internet access for autonome) and
	// the material add-ons, without Base.
	Related []string
}

// Want is D.2 for one person. An unknown need reads as "other" and an
// unknown profile as "proche_autonomie", the default rule R8 of C.1.
//
// Choices where D.2 is open (each cited where it applies):
//   - The base service of autonome/proche_autonomie is the need's first
//     service; banking's second service (Utilisation sécurisée) counts only
//     for the +3 of D.3.3, which needs every need service.
//   - learning's "(+ Compréhension du monde numérique)" is read as related,
//     not required: it is not a need service, so it neither filters nor
//     scores.
//   - health's "prefer FR places with Formé à « Mon Espace Santé »" is the
//     same +1 as a matching dispositif (D.3.3 last term).
//   - besoin_assistance in BE prefers ProgrammeCPAS then
//     ProgrammeInformaticien: Belgian places carry these values in
//     dispositif_programmes_nationaux (configs/places/README.md).
func Want(q Query) Wants {
	var w Wants
	switch q.Need {
	case "procedure", "health":
		w.NeedServices = []string{ServiceProcedures}
	case "banking":
		w.NeedServices = []string{ServiceProcedures, ServiceSafety}
	case "job":
		w.NeedServices = []string{ServiceJob}
	case "family":
		w.NeedServices = []string{ServiceParenting}
	default: // learning, other
		w.NeedServices = []string{ServiceEveryday}
	}
	switch q.Profile {
	case "autonome":
		w.Base = w.NeedServices[0]
		w.Modalities = []string{ModeAlone, ModeRemote}
	case "grand_debutant":
		w.Base = ServiceEveryday
		w.Modalities = []string{ModeWorkshop, ModeOneToOne}
	case "besoin_assistance":
		w.Base = ServiceProcedures
		w.Modalities = []string{ModeOneToOne, ModeRemote}
		switch q.At.Country {
		case FR:
			w.Programmes = []string{ProgrammeAidantsConnect, ProgrammeFranceServices}
		case BE:
			w.Programmes = []string{ProgrammeCPAS, ProgrammeInformaticien}
		}
	default: // proche_autonomie
		w.Base = w.NeedServices[0]
		w.Modalities = []string{ModeOneToOne, ModeRemote}
	}
	if q.Equipment == 0 || q.Connectivity == 0 {
		w.AddOns = append(w.AddOns, ServiceAccess)
	}
	if q.Equipment == 0 {
		w.AddOns = append(w.AddOns, ServiceEquipment)
	}
	if q.Reading >= 1 {
		w.SpecificCare = append(w.SpecificCare, CareIlliteracy)
	}
	if q.Barrier == "body" {
		// memory gets no tag on purpose: D.3.3 forbids labelling people
		// "Handicaps mentaux".
		w.SpecificCare = append(w.SpecificCare, CareVisual, CareMotor, CareDeaf)
	}
	if q.Need == "health" && q.At.Country == FR {
		w.Labels = []string{LabelMonEspaceSante}
	}
	w.Related = related(w, q.Profile)
	return w
}

// related is Wants.Related. D.2's "kind of help" names a service for two
// profiles: proche_autonomie's "coup de pouce on a complex procedure" is
// Aide aux démarches administratives, autonome's "free access" is Accès
// internet. grand_debutant's beginner course and besoin_assistance's
// "someone does it with or for the person" are their base services.
func related(w Wants, profile string) []string {
	in := append(slices.Clone(w.NeedServices), w.AddOns...)
	switch profile {
	case "autonome":
		in = append(in, ServiceAccess)
	case "grand_debutant", "besoin_assistance":
	default: // proche_autonomie
		in = append(in, ServiceProcedures)
	}
	var out []string
	for _, s := range in {
		if s != w.Base && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Split says what a place does for a person with these wants: the wanted
// services it offers (Base, then the need services, then the others of
// Related, in that order) and those of Base and the need services it
// lacks. The card of a partial fit says both (D.3.7 a).
func (w Wants) Split(p *Place) (offers, lacks []string) {
	for _, s := range append(append([]string{w.Base}, w.NeedServices...), w.Related...) {
		switch {
		case slices.Contains(offers, s) || slices.Contains(lacks, s):
		case slices.Contains(p.Services, s):
			offers = append(offers, s)
		case s == w.Base || slices.Contains(w.NeedServices, s):
			lacks = append(lacks, s)
		}
	}
	return offers, lacks
}

// wantBits is Wants as bit sets.
type wantBits struct {
	base, baseAlt, need, addOns, care, labels uint32
	related                                   uint32 // Wants.Related
	modes                                     [2]uint32
	progs                                     [maxProgs]uint32 // D.2 names at most two, in order
	nprogs                                    int
	lang                                      uint32
	// cpasFirst: D.2 ranks CPAS/OCMW first (besoin_assistance in BE), so a
	// commune's own CPAS is not put after the other places (item 4).
	cpasFirst bool
}

func newWantBits(w Wants, profile, lang string, v *vocabs) wantBits {
	b := wantBits{
		base:    bitOf(w.Base, v.services),
		need:    bitsOf(w.NeedServices, v.services),
		addOns:  bitsOf(w.AddOns, v.services),
		care:    bitsOf(w.SpecificCare, v.care),
		labels:  bitsOf(w.Labels, v.labels),
		lang:    bitOf(lang, v.langs),
		related: bitsOf(w.Related, v.services),
	}
	b.cpasFirst = len(w.Programmes) > 0 && w.Programmes[0] == ProgrammeCPAS
	if profile == "autonome" {
		// D.3.2: for autonome, the need service or internet access is enough.
		b.baseAlt = bitOf(ServiceAccess, v.services)
	}
	for i, m := range w.Modalities {
		if i < 2 {
			b.modes[i] = bitOf(m, v.modes)
		}
	}
	for i, p := range w.Programmes {
		if i < len(b.progs) {
			b.progs[i] = bitOf(p, v.progs)
			b.nprogs = i + 1
		}
	}
	return b
}

func bitOf(s string, vocab []string) uint32 {
	for i, w := range vocab {
		if s == w {
			return 1 << i
		}
	}
	return 0
}
