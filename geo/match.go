package geo

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// Query is one diagnosed person looking for a place.
type Query struct {
	At           Location
	Profile      string // autonome | proche_autonomie | grand_debutant | besoin_assistance
	Need         string // procedure | banking | job | health | family | learning | other
	Equipment    int    // E score 0..2
	Connectivity int    // C score 0..2
	Reading      int    // R score 0..2
	Barrier      string // none | body | memory | skip
	Lang         string // "fr" | "nl"
}

// Match is one place that fits, with what the bot shows beside it.
type Match struct {
	Place       *Place
	Score       int
	KM          float64 // rounded to 0.1; meaningless when Place.NoPoint
	Approx      bool    // the place's coordinates are a postcode centroid
	CrossBorder bool    // in the other country ("de l'autre côté de la frontière")
	Fit         Fit     // why the place is in the list
}

// Fit says why a place is in a Result: the card says it in words.
type Fit uint8

// The fits, in the order of docs/diagnostic.md D.3.7 and issue 15 item 4.
const (
	// FitFull: the place passes the hard filter (D.3.2).
	FitFull Fit = iota
	// FitPartial: nothing within 30 km passes the hard filter, and the
	// place offers the need service or another service of the profile
	// (Wants.Related): it helps in part (D.3.7 a). Wants.Split says what
	// it does and does not do.
	FitPartial
	// FitOwnCPAS: the person's own CPAS/OCMW, shown for its legal mission
	// after the places that fit (D.3.7 b, issue 15 item 4), whatever
	// services it declares.
	FitOwnCPAS
	// FitFranceServices: the nearest France services, shown when nothing
	// fits in France (D.3.7 b), whatever services it declares.
	FitFranceServices
)

// Result is the answer to a Query.
type Result struct {
	// Matches are the places to show, best first, at most 3: those that
	// fit, then the person's own CPAS/OCMW (Belgium); when none fits, the
	// best partial fit, then the own CPAS/OCMW or France services (D.3.7).
	Matches  []Match
	RadiusKM float64 // 15 or 30
	// Partial means no place passes the hard filter within 30 km: Matches
	// (if any) help in part, and the caller says that this is the nearest
	// help we know, not a perfect fit, then offers remote help (D.3.7 c).
	Partial bool
	// Filtered is, when Partial, how many places within 30 km would have
	// been candidates (public, of the person's country and, for a
	// CPAS/OCMW, commune) but do not offer the base service.
	Filtered int
	// Fallback means Matches is empty: the caller offers remote help (À
	// distance) and the phone lines of docs/diagnostic.md E.
	Fallback bool
}

// Radii of D.3.1 and the size of the answer of D.3.4.
const (
	nearKM     = 15
	farKM      = 30
	maxMatches = 3
	maxProgs   = 2 // programmes D.2 ranks
)

// placeMeta is what matching needs of a place.
type placeMeta struct {
	tags
	noPublic, communeOnly bool
	approx                bool // Place.Approx
	country               Country
	commune, postcode     string // normName(Commune) and Postcode, for communeOnly places
	nis                   string // Place.NIS: a Belgian commune-only place serves only loc.NIS
}

// tags is a place's vocabulary as bit sets, so scoring a candidate costs
// a few AND operations instead of string compares. The index copies them
// beside each place's position.
type tags struct {
	services, modes, care, progs, labels, langs uint32
}

// vocabs holds the vocabularies once, so indexing a directory does not
// rebuild them for every place.
type vocabs struct {
	services, modes, care, progs, labels, langs, noPublic []string
	fsBit                                                 uint32 // France Services in progs
}

func newVocabs() vocabs {
	v := vocabs{vocabServices(), vocabModalities(), vocabCare(), vocabProgrammes(),
		vocabLabels(), vocabLangs(), []string{AccessNoPublic}, 0}
	v.fsBit = bitOf(ProgrammeFranceServices, v.progs)
	return v
}

func (v vocabs) meta(p *Place) placeMeta {
	return placeMeta{
		tags: tags{
			services: bitsOf(p.Services, v.services),
			modes:    bitsOf(p.Modalities, v.modes),
			care:     bitsOf(p.SpecificCare, v.care),
			progs:    bitsOf(p.Programmes, v.progs),
			labels:   bitsOf(p.Labels, v.labels),
			langs:    bitsOf(p.Langs, v.langs),
		},
		// A temporarily closed place is kept out of every match as one
		// with no public is: it is in no grid.
		noPublic: bitsOf(p.Access, v.noPublic) != 0 || p.TempClosed,
		// Copied here so the hot loop never leaves the dense meta array.
		country:     p.Country,
		communeOnly: p.CommuneOnly,
		approx:      p.Approx,
		commune:     communeKey(p),
		postcode:    p.Postcode,
		nis:         p.NIS,
	}
}

func communeKey(p *Place) string {
	if !p.CommuneOnly {
		return ""
	}
	return normName(p.Commune)
}

// candidate is a place that passed the filters, with its sort keys.
type candidate struct {
	i        int
	km       float64
	score    int
	cross    bool
	langOK   bool
	approx   bool // Place.Approx, so that Match reads no Place
	progRank int
	// key packs cross, score, langOK and progRank so that a greater key
	// is better (D.3.4, see match): one compare instead of four.
	key uint32
}

// Match finds the best places for q with the spatial index.
func (d *Directory) Match(q Query) Result {
	ix := d.index
	var m matcher
	d.initMatcher(&m, q, ix.wantBits(q, &d.vocab))
	if w, ok := ix.lay.window(q.At.Point, &ix.far); ok {
		cv := unitVector(q.At.Point)
		if m.brussels {
			ix.walk(&m, &w, &cv, -1, ix.far.lim)
		} else {
			if w15, ok := ix.lay.window(q.At.Point, &ix.near); ok {
				if ix.nearest {
					ix.walkNearest(&m, &w15, &q.At.Point, &cv, ix.near.lim)
				} else {
					ix.walk(&m, &w15, &cv, -1, ix.near.lim)
				}
			}
			if m.tops[0][1].count < maxMatches {
				// Widen by reading only the ring: the lists already hold
				// the disc, and their order does not depend on the order
				// of arrival, so this equals one search of 30 km.
				ix.walk(&m, &w, &cv, ix.near.lim, ix.far.lim)
			}
		}
		if m.tops[0][0].count == 0 {
			// D.3.7: nothing passes the hard filter within 30 km. Only
			// then read every grid, for what helps in part.
			ix.walkOther(&m, &w, &cv, ix.far.lim)
		}
	}
	return m.result()
}

// matchLinear is Match with a linear scan: the reference for tests and
// benchmarks.
func (d *Directory) matchLinear(q Query) Result { return d.match(q, d.index.scan) }

// match is docs/diagnostic.md D.3 over any search; Match is the same with the
// index, and the tests hold the two equal. Choices where the text is open:
//   - D.3.1 "if fewer than 3, widen": we count places that pass every
//     filter (public, country, commune, base service, Brussels language),
//     not all places in range; three places that cannot help must not stop
//     us from showing one 20 km away that can.
//   - D.3.5 "prefer places that serve Dutch" (and any asked language):
//     at equal score, such places come first. D.2 "rank Aidants Connect
//     first, then France Services" (BE: CPAS/OCMW): at equal score and
//     language, by that order. Then distance, then ID (D.3.4).
//   - D.3.6: another country's place (learning/other only) is ranked after
//     every place of the person's own country; it fills the list, never
//     pushes a home place out.
//   - Match.Approx is the place's own approximation (OCMW seats are
//     postcode centroids); the person's centroid is always approximate
//     unless they sent a point, and the caller knows that from Location.
func (d *Directory) match(q Query, search func(Point, float64, func(int, float64))) Result {
	var m matcher
	d.initMatcher(&m, q, newWantBits(Want(q), q.Profile, q.Lang, &d.vocab))
	// D.3.1: 15 km first; 30 km only when fewer than 3 fit, or when the
	// Brussels language rule must look 30 km around anyway.
	if m.brussels {
		search(q.At.Point, farKM, m.collect)
	} else {
		search(q.At.Point, nearKM, m.collect)
		if m.tops[0][1].count < maxMatches {
			m.tops = [2][2]topList{}
			search(q.At.Point, farKM, m.collect)
		}
	}
	if m.tops[0][0].count == 0 {
		search(q.At.Point, farKM, m.collectOther)
	}
	return m.result()
}

// matcher is one query of D.3 in progress: the filters and the lists.
type matcher struct {
	d        *Directory
	at       Location // the query's
	wb       wantBits
	crossOK  bool   // D.3.6: another country's places may fill the list
	homeCode uint32 // countryCode(at.Country), 0 when at.Country is empty
	brussels bool
	home     string // normName(at.Commune), computed on first need
	homeDone bool
	commune  int       // the commune test (prepareCommune), communeUnknown until needed
	pc       *postcode // byPostcode[at.Postcode], for communeFast and communeImplied
	// No candidate list: four running top-3 lists (all places or only
	// those serving the language; within 15 or 30 km) and their counts are
	// all D.3 needs, and they cost no allocation.
	tops  [2][2]topList // [langOnly][within 15 km]
	anyNL bool
	// floor is a key below which no place can change the result (see
	// addCandidate), 0 until then: the index walk drops such places
	// before computing their distance.
	floor uint32
	// D.3.7, filled only when no place passes the hard filter: the places
	// offering a related service, the nearest France services, and how
	// many candidates the base service filtered out.
	part     topList
	fs       candidate
	hasFS    bool
	filtered int
}

// initMatcher starts m, a zero matcher, on q. (A matcher is 800 bytes:
// the caller keeps it in place rather than copying it from a constructor.)
func (d *Directory) initMatcher(m *matcher, q Query, wb wantBits) {
	m.d = d
	m.at = q.At
	m.wb = wb
	m.crossOK = q.Need == "learning" || q.Need == "other"
	m.brussels = q.Lang == "nl" && inBrussels(q.At)
	if q.At.Country != "" {
		m.homeCode = countryCode(q.At.Country)
	}
}

// admits is the filters of D.3 that every candidate must pass, full or
// partial fit: open to the public, in the person's country unless the
// border may be crossed, and a commune-only place only for its residents.
// cross says the place is in the other country.
func (m *matcher) admits(pm *placeMeta, i int) (cross, ok bool) {
	if pm.noPublic {
		return false, false
	}
	cross = m.at.Country != "" && pm.country != m.at.Country
	if cross && !m.crossOK {
		return cross, false
	}
	if pm.communeOnly && (cross || !m.inCommune(i)) {
		return cross, false
	}
	return cross, true
}

// collect is every filter of D.3 for place i at km, then add.
func (m *matcher) collect(i int, km float64) {
	pm := &m.d.meta[i]
	if pm.services&m.wb.base == 0 && pm.services&m.wb.baseAlt == 0 {
		return
	}
	if cross, ok := m.admits(pm, i); ok {
		m.add(i, km, cross, pm.approx, pm.communeOnly, &pm.tags)
	}
}

// collectOther is collect for D.3.7: every filter but the base service.
// A place that offers no service at all is in no grid of the index, so
// it is not counted here either.
func (m *matcher) collectOther(i int, km float64) {
	pm := &m.d.meta[i]
	if pm.services == 0 {
		return
	}
	if cross, ok := m.admits(pm, i); ok {
		m.other(i, km, cross, pm.approx, pm.communeOnly, &pm.tags)
	}
}

// inCommune is Directory.inCommune for the query's location.
func (m *matcher) inCommune(i int) bool {
	if !m.homeDone {
		m.home, m.homeDone = normName(m.at.Commune), true
	}
	return m.d.inCommune(m.at, m.home, i)
}

// candidate scores place i (with tags t) and packs its sort key.
func (m *matcher) candidate(i int, km float64, cross, approx, communeOnly bool, t *tags) candidate {
	c := candidate{i: i, km: km, cross: cross, approx: approx}
	c.key, c.score, c.progRank, c.langOK = m.scoreKey(t, cross, communeOnly)
	return c
}

// scoreKey is the score of a place with tags t (D.3.3), its programme rank
// and language, and the sort key that packs them (candidate.key). The
// index calls it on every place in range before building a candidate.
func (m *matcher) scoreKey(t *tags, cross, communeOnly bool) (key uint32, sc, progRank int, langOK bool) {
	sc, progRank = score(t, &m.wb)
	langOK = m.wb.lang != 0 && t.langs&m.wb.lang != 0
	key = uint32(sc)<<16 | uint32(maxProgs-progRank) // score ≤ 11
	if !cross {
		key |= 1 << 24
	}
	if !communeOnly || m.wb.cpasFirst {
		// Issue 15 item 4: the places that fit, then the person's own
		// CPAS/OCMW, whose legal mission is social aid, not digital help.
		key |= 1 << 23
	}
	if langOK {
		key |= 1 << 8
	}
	return key, sc, progRank, langOK
}

// add scores place i (with tags t), which passed every filter, into the
// lists.
func (m *matcher) add(i int, km float64, cross, approx, communeOnly bool, t *tags) {
	c := m.candidate(i, km, cross, approx, communeOnly, t)
	m.addCandidate(&c)
}

// addCandidate puts c, which passed every filter, into the lists. The
// language lists (tops[1]) decide only under the Brussels rule (anyNL),
// so they are kept only then.
func (m *matcher) addCandidate(c *candidate) {
	near := c.km <= nearKM
	m.tops[0][0].add(m.d, c)
	if near {
		m.tops[0][1].add(m.d, c)
	}
	if !m.brussels {
		if m.tops[0][1].count >= maxMatches {
			// Both all-places lists are full (the 30 km one holds at
			// least what the 15 km one does): a place whose key is below
			// both their worst can no longer enter either, and their
			// counts only matter up to maxMatches.
			m.floor = min(m.tops[0][0].c[maxMatches-1].key, m.tops[0][1].c[maxMatches-1].key)
		}
		return
	}
	m.anyNL = m.anyNL || (c.langOK && !c.cross)
	if c.langOK {
		m.tops[1][0].add(m.d, c)
		if near {
			m.tops[1][1].add(m.d, c)
		}
	}
}

// other takes place i, which passed every filter but the base service,
// for D.3.7.
func (m *matcher) other(i int, km float64, cross, approx, communeOnly bool, t *tags) {
	if !cross {
		m.filtered++
	}
	if t.services&m.wb.related == 0 && (communeOnly || t.progs&m.d.vocab.fsBit == 0) {
		return
	}
	c := m.candidate(i, km, cross, approx, communeOnly, t)
	if t.services&m.wb.related != 0 {
		m.part.add(m.d, &c)
	}
	if !communeOnly && !cross && t.progs&m.d.vocab.fsBit != 0 &&
		(!m.hasFS || c.km < m.fs.km || (c.km == m.fs.km && m.d.places[c.i].ID < m.d.places[m.fs.i].ID)) {
		m.fs, m.hasFS = c, true
	}
}

// match is candidate c as a Match.
func (m *matcher) match(c *candidate, fit Fit) Match {
	return Match{
		Place:       m.d.places[c.i],
		Score:       c.score,
		KM:          math.Round(c.km*10) / 10,
		Approx:      c.approx,
		CrossBorder: c.cross,
		Fit:         fit,
	}
}

// ownCPAS is the person's own CPAS/OCMW as a candidate, if the directory
// has one for their commune.
func (m *matcher) ownCPAS() (candidate, bool) {
	if !m.at.Point.valid() {
		return candidate{}, false // no search either: an odd query, not a person
	}
	i := m.d.ownSeat(m.at)
	if i < 0 || m.d.meta[i].noPublic {
		return candidate{}, false
	}
	pm := &m.d.meta[i]
	return m.candidate(i, Distance(m.at.Point, m.d.places[i].Point), false, pm.approx, true, &pm.tags), true
}

// result is D.3.4–D.3.5 over the lists, then D.3.7 when they are empty.
func (m *matcher) result() Result {
	if m.tops[0][0].count == 0 {
		return m.partialResult()
	}
	// D.3.5: in Brussels, serving Dutch is a hard filter as soon as one
	// such place is within 30 km.
	lists := &m.tops[0]
	if m.anyNL {
		lists = &m.tops[1]
	}
	top, radius := &lists[0], float64(farKM)
	if lists[1].count >= maxMatches {
		top, radius = &lists[1], nearKM
	}
	n := min(top.count, maxMatches)
	res := Result{RadiusKM: radius, Matches: make([]Match, n, maxMatches)}
	for k := range n {
		res.Matches[k] = m.match(&top.c[k], FitFull)
	}
	if n < maxMatches && m.at.Country == BE {
		// Item 4: then the person's own CPAS/OCMW, if it is not there yet.
		if c, ok := m.ownCPAS(); ok && !slices.ContainsFunc(top.c[:n], func(x candidate) bool { return x.i == c.i }) {
			res.Matches = append(res.Matches, m.match(&c, FitOwnCPAS))
		}
	}
	return res
}

// partialResult is D.3.7 (a) and (b): the best place that helps in part,
// then the person's own CPAS/OCMW (Belgium) or the nearest France
// services (France), unless (a) is already one.
func (m *matcher) partialResult() Result {
	res := Result{RadiusKM: farKM, Partial: true, Filtered: m.filtered}
	if m.part.count > 0 {
		res.Matches = append(res.Matches, m.match(&m.part.c[0], FitPartial))
	}
	switch m.at.Country {
	case BE:
		if c, ok := m.ownCPAS(); ok && (m.part.count == 0 || m.part.c[0].i != c.i) {
			res.Matches = append(res.Matches, m.match(&c, FitOwnCPAS))
		}
	case FR:
		a := m.part.count > 0 && m.d.meta[m.part.c[0].i].progs&m.d.vocab.fsBit != 0
		if m.hasFS && !a {
			res.Matches = append(res.Matches, m.match(&m.fs, FitFranceServices))
		}
	}
	res.Fallback = len(res.Matches) == 0
	return res
}

// topList keeps the best maxMatches candidates seen and how many were seen.
type topList struct {
	c     [maxMatches]candidate
	count int
}

func (t *topList) add(d *Directory, c *candidate) {
	n := min(t.count, maxMatches)
	t.count++
	if n == maxMatches && !d.better(c, &t.c[n-1]) {
		return // most candidates, once the list is full
	}
	pos := n
	for pos > 0 && d.better(c, &t.c[pos-1]) {
		pos--
	}
	if n < maxMatches {
		n++
	}
	copy(t.c[pos+1:n], t.c[pos:n-1])
	t.c[pos] = *c
}

// score is D.3.3, and the rank of the place's programme in the D.2
// preference order.
func score(m *tags, wb *wantBits) (s, progRank int) {
	if wb.need != 0 && m.services&wb.need == wb.need {
		s += 3
	}
	if m.modes&wb.modes[0] != 0 {
		s += 2
	}
	if m.modes&wb.modes[1] != 0 {
		s++
	}
	// "+2 if it offers the material add-on when one is required": once,
	// for any of the required add-ons.
	if m.services&wb.addOns != 0 {
		s += 2
	}
	if m.care&wb.care != 0 {
		s += 2
	}
	dispositif := m.labels&wb.labels != 0
	progRank = wb.nprogs
	for r, pb := range wb.progs[:wb.nprogs] {
		if m.progs&pb != 0 {
			progRank = r
			dispositif = true
			break
		}
	}
	if dispositif {
		s++
	}
	return s, progRank
}

// better is the order of D.3.4 with the refinements documented on match:
// home country first, then score, language, programme rank (all in
// candidate.key), then distance, then ID.
func (d *Directory) better(a, b *candidate) bool {
	if a.key != b.key {
		return a.key > b.key
	}
	if a.km != b.km {
		return a.km < b.km
	}
	return cmp.Less(d.places[a.i].ID, d.places[b.i].ID)
}

// inBrussels: BE postcodes 1000–1299 are the Brussels-Capital Region.
func inBrussels(l Location) bool {
	if l.Country != BE || len(l.Postcode) != 4 {
		return false
	}
	n, err := strconv.Atoi(l.Postcode)
	return err == nil && n >= 1000 && n <= 1299
}
