// Package label holds display names of coded values in the languages the
// planners read: Indonesian (the default) and English. The tables of names
// live beside the values they name, in the domain packages.
package label

// Language is a language display names are given in.
type Language string

const (
	Indonesian Language = "id"
	English    Language = "en"
)

// Text is one display name in each language.
type Text struct {
	ID string // Indonesian
	EN string // English
}

// In returns the name in language l; Indonesian for any other language.
func (t Text) In(l Language) string {
	if l == English {
		return t.EN
	}
	return t.ID
}
