package configs

// ShareTexts returns i18n/share.json: every word of the share links and
// of the poster a structure prints (web/share), FR and NL in one file.
// The poster's markup is web/poster.tmpl in Web.
func ShareTexts() []byte {
	b, err := FS.ReadFile("i18n/share.json")
	if err != nil {
		return nil // only if the file was dropped from the build; share.New refuses nil
	}
	return b
}
