package configs

// ObservatoryTexts returns i18n/observatory.json: every word of the needs
// observatory's page, of its CSV and of "secours stats", FR and NL in one
// file (profiles and needs keep the bot catalogues' wording). Its template
// is web/observatory.tmpl, in Web.
func ObservatoryTexts() []byte {
	b, err := FS.ReadFile("i18n/observatory.json")
	if err != nil {
		return nil // only if the file was dropped from the build; observatory.New refuses nil
	}
	return b
}
