package geo

import "time"

// Place is one help place of the directory, in the vocabulary of the
// standard (v1.0.2), whatever its country.
type Place struct {
	ID, Name                   string
	Country                    Country
	Address, Postcode, Commune string
	Point                      Point
	Approx                     bool   // coordinates are a postcode centroid: show distance as approximate
	Phone, Email, Website      string // phone as given (display form), website first URL
	Hours                      string // raw opening hours text as imported (empty if unknown)

	// Values of the standard's services, modalites_accompagnement,
	// prise_en_charge_specifique, dispositif_programmes_nationaux,
	// formations_labels and typologie fields, and the languages served
	// (fr, nl, de, en).
	Services, Modalities, SpecificCare, Programmes, Labels, Typologie, Langs []string

	// Access is modalites_acces; "Ce lieu n'accueille pas de public"
	// keeps a place out of every match (docs/diagnostic.md D.1).
	Access []string
	// Publics, Fees, Summary, Booking, Pivot and Updated carry the
	// standard's publics_specifiquement_adresses, frais_a_charge,
	// presentation_resume, prise_rdv, pivot and date_maj.
	Publics, Fees    []string
	Summary, Booking string
	Pivot, Updated   string

	TagSource   string // TagStructure, TagLabel or TagLegalMission
	Source      string // dataset key, e.g. "france-services"
	CommuneOnly bool   // OCMW/CPAS: only for residents of its commune
	// NIS is the Belgian commune (NIS code of 2025) a CommuneOnly place
	// serves: matching compares it with Location.NIS.
	NIS string
	// NoPoint: Point is only the commune seat (a CPAS card with no sourced
	// address): never show a distance or a map for it.
	NoPoint bool

	// Closures are the periods the structure said it is closed (its
	// card): OpeningAt reads them as closed days. TempClosed keeps the
	// place out of every match until the structure reopens it.
	Closures   []Closure `json:",omitempty"`
	TempClosed bool      `json:",omitempty"`

	sched *Week          // parsed Hours; nil if unknown or broken
	loc   *time.Location // Europe/Brussels, loaded once per directory
}

// Closure is a period a place is closed, both days included: From and To
// are dates (their clock is ignored), read in Brussels time.
type Closure struct {
	From, To time.Time
	Note     string `json:",omitempty"`
}

// Where a place's services come from: the place itself, what its label
// guarantees, or what the law makes it do. The bot can say how sure it is.
const (
	TagStructure    = "structure"
	TagLabel        = "label"         // France services: the national label's basket
	TagLegalMission = "legal_mission" // OCMW/CPAS: organic law on public social welfare centres
)

// Services of the standard v1.0.2 (docs/diagnostic.md D.1), accented as the
// schema's validation pattern writes them.
const (
	ServiceProcedures = "Aide aux démarches administratives"
	ServiceEveryday   = "Maîtrise des outils numériques du quotidien"
	ServiceJob        = "Insertion professionnelle via le numérique"
	ServiceSafety     = "Utilisation sécurisée du numérique"
	ServiceParenting  = "Parentalité et éducation avec le numérique"
	ServiceLeisure    = "Loisirs et créations numériques"
	ServiceCulture    = "Compréhension du monde numérique"
	ServiceAccess     = "Accès internet et matériel informatique"
	ServiceEquipment  = "Acquisition de matériel informatique à prix solidaire"
)

// Values of modalites_accompagnement.
const (
	ModeAlone    = "En autonomie"
	ModeOneToOne = "Accompagnement individuel"
	ModeWorkshop = "Dans un atelier collectif"
	ModeRemote   = "À distance"
)

// Values of prise_en_charge_specifique.
const (
	CareDeaf       = "Surdité"
	CareMotor      = "Handicaps moteurs"
	CareMental     = "Handicaps mentaux"
	CareIlliteracy = "Illettrisme"
	CareEnglish    = "Langues étrangères (anglais)"
	CareOtherLangs = "Langues étrangères (autres)"
	CareVisual     = "Déficience visuelle"
)

// Programmes (dispositif_programmes_nationaux) that matching prefers.
// ProgrammeCPAS and ProgrammeInformaticien are our Belgian additions to
// the French list: Belgium has no national list of its own.
const (
	ProgrammeAidantsConnect = "Aidants Connect"
	ProgrammeFranceServices = "France Services"
	ProgrammeCPAS           = "CPAS/OCMW"
	ProgrammeInformaticien  = "Informaticiens publics"
)

// LabelMonEspaceSante is the formations_labels value preferred for health.
const LabelMonEspaceSante = "Formé à « Mon Espace Santé »"

// AccessNoPublic in modalites_acces keeps a place out of matching.
const AccessNoPublic = "Ce lieu n'accueille pas de public"

func vocabServices() []string {
	return []string{ServiceProcedures, ServiceEveryday, ServiceJob, ServiceSafety,
		ServiceParenting, ServiceLeisure, ServiceCulture, ServiceAccess, ServiceEquipment}
}

func vocabModalities() []string {
	return []string{ModeAlone, ModeOneToOne, ModeWorkshop, ModeRemote}
}

func vocabCare() []string {
	return []string{CareDeaf, CareMotor, CareMental, CareIlliteracy, CareEnglish, CareOtherLangs, CareVisual}
}

func vocabProgrammes() []string {
	return []string{ProgrammeAidantsConnect, "Bibliothèques numérique de référence", "Certification PIX",
		"Conseillers numériques", "Emmaüs Connect", ProgrammeFranceServices, "Grande école du numérique",
		"La Croix Rouge", "Point d'accès numérique CAF", "Promeneurs du net",
		"Relais numérique (Emmaüs Connect)", ProgrammeCPAS, ProgrammeInformaticien}
}

func vocabLabels() []string {
	return []string{LabelMonEspaceSante, "Formé à « DUPLEX » (illettrisme)",
		"Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Collectif ressources et acteurs réemploi (Normandie)",
		"Étapes numériques(La Poste)", "Fabriques de Territoire", "Les Éclaireurs du numérique (Drôme)",
		"Mes Papiers (Métropole de Lyon)", "ORDI 3.0", "SUD LABS (PACA)"}
}

func vocabAccess() []string {
	return []string{"Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne",
		AccessNoPublic, "Envoyer un mail avec une fiche de prescription"}
}

func vocabPublics() []string {
	return []string{"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"}
}

func vocabFees() []string { return []string{"Gratuit", "Gratuit sous condition", "Payant"} }

func vocabLangs() []string { return []string{"fr", "nl", "de", "en"} }

// legacyService maps a v0.1 service to v1 (docs/diagnostic.md D.4).
func legacyService(s string) (string, bool) {
	switch s {
	case "Devenir autonome dans les démarches administratives",
		"Réaliser des démarches administratives avec un accompagnement",
		"Accompagner les démarches de santé":
		return ServiceProcedures, true
	case "Prendre en main un smartphone ou une tablette", "Prendre en main un ordinateur",
		"Utiliser le numérique au quotidien":
		return ServiceEveryday, true
	case "Favoriser mon insertion professionnelle", "Créer et développer mon entreprise":
		return ServiceJob, true
	case "Promouvoir la citoyenneté numérique", "Approfondir ma culture numérique",
		"Comprehension du monde numérique":
		return ServiceCulture, true
	case "Soutenir la parentalité et l'éducation avec le numérique":
		return ServiceParenting, true
	case "Créer avec le numérique":
		return ServiceLeisure, true
	case "Accéder à une connexion internet", "Accéder à du matériel":
		return ServiceAccess, true
	case "S'équiper en matériel informatique":
		return ServiceEquipment, true
	}
	return "", false
}

// bitsOf sets bit i for each value equal to vocab[i].
func bitsOf(values, vocab []string) uint32 {
	var m uint32
	for _, v := range values {
		for i, w := range vocab {
			if v == w {
				m |= 1 << i
			}
		}
	}
	return m
}
