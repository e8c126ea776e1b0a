package geo

import "strings"

// Find looks a place up as an operator names it on the command line: by
// its exact id, else by its name or a part of it, whatever the accents,
// the case and the punctuation ("france services de valserhone" finds
// "France services de Valserhône"). It returns the place when one fits,
// or every candidate, ordered by id, when the name is ambiguous; neither
// when nothing fits. A name that is exactly one place's whole name picks
// it among longer ones ("OCMW Gent" among "OCMW Gentbrugge…").
func (d *Directory) Find(query string) (*Place, []*Place) {
	query = strings.TrimSpace(query)
	if p, ok := d.Place(query); ok {
		return p, nil
	}
	q := normName(query)
	if q == "" {
		return nil, nil
	}
	var matches, exact []*Place
	for _, p := range d.Places() {
		name := normName(p.Name)
		if strings.Contains(name, q) {
			matches = append(matches, p)
			if name == q {
				exact = append(exact, p)
			}
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(matches) == 1:
		return matches[0], nil
	}
	return nil, matches
}
