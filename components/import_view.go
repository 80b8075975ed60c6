package components

// ImportView is the import page.
type ImportView struct {
	Page
	Spec      string
	ProjectID string
	// ProjectIDFrom is the document path the ProjectId was prefilled from
	// ("metadata.projectId"), or "".
	ProjectIDFrom string
	// DocumentProjectID is the ProjectId the document records when it
	// differs from the one entered, or "".
	DocumentProjectID string
	// Errors say why nothing can be created (yet).
	Errors []string
	// Checked: the spec was read and what import does is listed below.
	Checked bool
	// CanCreate: creating the draft would succeed.
	CanCreate bool
	// Normalised lists what import changes in the document, or notices in it.
	Normalised []ImportFinding
	// EditorErrors and EditorWarnings are what the editor shows once the
	// draft exists: the same validation, run on the same document.
	EditorErrors   []ImportFinding
	EditorWarnings []ImportFinding
}

// ImportFinding is one line of the import check.
type ImportFinding struct {
	Path    string
	Message string
}
