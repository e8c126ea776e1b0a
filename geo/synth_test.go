package geo

import (
	"fmt"
	"math/rand/v2"
)

// synthetic returns a directory with n made-up places (test only, never
// shipped) near the real postcodes of base, with random services.
func synthetic(base *Directory, n int, seed uint64) *Directory {
	r := rand.New(rand.NewPCG(seed, 7))
	sv, md, care, progs := vocabServices(), vocabModalities(), vocabCare(), vocabProgrammes()
	pick := func(vocab []string, p float64) []string {
		var out []string
		for _, v := range vocab {
			if r.Float64() < p {
				out = append(out, v)
			}
		}
		return out
	}
	places := make([]*Place, 0, n)
	for i := range n {
		row := base.pcs[r.IntN(len(base.pcs))]
		p := &Place{
			ID:      fmt.Sprintf("synth/%06d", i),
			Name:    fmt.Sprintf("Lieu %d", i),
			Country: row.Country, Postcode: row.Postcode, Commune: row.Name,
			Point:        Point{row.Point.Lat + (r.Float64()-0.5)*0.2, row.Point.Lon + (r.Float64()-0.5)*0.3},
			Services:     pick(sv, 0.4),
			Modalities:   pick(md, 0.5),
			SpecificCare: pick(care, 0.2),
			Programmes:   pick(progs, 0.1),
			Langs:        pick(vocabLangs(), 0.5),
			Source:       "synth",
			CommuneOnly:  r.IntN(20) == 0,
		}
		if r.IntN(30) == 0 {
			p.Access = []string{AccessNoPublic}
		}
		places = append(places, p)
	}
	return newDirectory(places, base.pcs)
}
