package geo

import (
	"slices"
	"strings"
)

// Kinds of place, for the card's "what kind of place it is" (issue 15
// item 4).
const (
	KindCPAS           = "cpas"            // CPAS/OCMW: the commune's public social welfare centre
	KindFranceServices = "france_services" // the France services label
	KindDigipunt       = "digipunt"        // Flemish digital help point
	KindEPN            = "epn"             // espace public numérique
	KindLibrary        = "library"
	KindOther          = "other"
)

// Kind says what kind of place p is, from what its data says: a
// commune-only place or the CPAS/OCMW programme, the France services
// programme or typology (RFS), the typology codes EPN and BIB of the
// standard, or "Digipunt" in its name (Flemish places carry no typology).
func (p *Place) Kind() string {
	switch {
	case p.CommuneOnly || slices.Contains(p.Programmes, ProgrammeCPAS) || slices.Contains(p.Typologie, "CCAS"):
		return KindCPAS
	case slices.Contains(p.Programmes, ProgrammeFranceServices) || slices.Contains(p.Typologie, "RFS"):
		return KindFranceServices
	case strings.Contains(normName(p.Name), "digipunt"):
		return KindDigipunt
	case slices.Contains(p.Typologie, "EPN"):
		return KindEPN
	case slices.Contains(p.Typologie, "BIB"):
		return KindLibrary
	}
	return KindOther
}
