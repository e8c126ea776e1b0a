package geo

import "strconv"

// areaOf names the region and province (France: department) of a
// location, for coverage tables.
func (d *Directory) areaOf(loc Location) (region, province string) {
	switch loc.Country {
	case BE:
		if c, ok := d.Commune(loc.NIS); ok {
			lang := "fr"
			if c.Region == "VLG" {
				lang = "nl"
			}
			return c.Region, ProvinceName(c.Province, lang)
		}
		return beRegion(loc.Postcode)
	case FR:
		return frRegion(loc.Postcode)
	}
	return "", ""
}

// beRanges are the Belgian postcode ranges of bpost's numbering, by
// province: the first postcode of each range. Only for a location whose
// commune the directory does not know.
var beRanges = []struct {
	from             int
	region, province string
}{
	{1000, "BRU", "Région de Bruxelles-Capitale"}, {1300, "WAL", "Brabant wallon"}, {1500, "VLG", "Vlaams-Brabant"},
	{2000, "VLG", "Antwerpen"}, {3000, "VLG", "Vlaams-Brabant"}, {3500, "VLG", "Limburg"},
	{4000, "WAL", "Liège"}, {5000, "WAL", "Namur"}, {6000, "WAL", "Hainaut"}, {6600, "WAL", "Luxembourg"},
	{7000, "WAL", "Hainaut"}, {8000, "VLG", "West-Vlaanderen"}, {9000, "VLG", "Oost-Vlaanderen"},
}

func beRegion(pc string) (string, string) {
	n, err := strconv.Atoi(pc)
	if err != nil || n < 1000 {
		return "", ""
	}
	r := beRanges[0]
	for _, x := range beRanges {
		if n >= x.from {
			r = x
		}
	}
	return r.region, r.province
}

// frRegions maps a department (the postcode's first two digits; three
// overseas) to its region since 2016.
var frRegions = func() map[string]string {
	m := make(map[string]string)
	for region, deps := range map[string][]string{
		"Auvergne-Rhône-Alpes":       {"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"},
		"Bourgogne-Franche-Comté":    {"21", "25", "39", "58", "70", "71", "89", "90"},
		"Bretagne":                   {"22", "29", "35", "56"},
		"Centre-Val de Loire":        {"18", "28", "36", "37", "41", "45"},
		"Corse":                      {"20"},
		"Grand Est":                  {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"},
		"Hauts-de-France":            {"02", "59", "60", "62", "80"},
		"Île-de-France":              {"75", "77", "78", "91", "92", "93", "94", "95"},
		"Normandie":                  {"14", "27", "50", "61", "76"},
		"Nouvelle-Aquitaine":         {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"},
		"Occitanie":                  {"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"},
		"Pays de la Loire":           {"44", "49", "53", "72", "85"},
		"Provence-Alpes-Côte d'Azur": {"04", "05", "06", "13", "83", "84"},
		"Outre-mer":                  {"971", "972", "973", "974", "975", "976", "977", "978", "98"},
	} {
		for _, d := range deps {
			m[d] = region
		}
	}
	return m
}()

func frRegion(pc string) (string, string) {
	if len(pc) != 5 {
		return "", ""
	}
	dep := pc[:2]
	if dep == "97" {
		dep = pc[:3]
	}
	return frRegions[dep], dep
}
