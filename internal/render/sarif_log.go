package render

// The SARIF 2.1.0 objects modelgate writes, as encoding/json structs. They
// write the same bytes the go-sarif library (v3.3.1) wrote before them,
// empty lists and SARIF's -1 defaults included, so code scanning sees the
// same log; that library validated with gojsonschema, whose package
// initialisation every run of modelgate paid. TestSARIFSchema validates
// what they write against the official schema.

// sarifDocument is the log's top level.
type sarifDocument struct {
	Schema     string      `json:"$schema"`
	Version    string      `json:"version"`
	Runs       []*sarifRun `json:"runs"`
	Properties struct{}    `json:"properties"`
}

// sarifRun is the one run of a log: modelgate and its results.
type sarifRun struct {
	Addresses                []struct{}    `json:"addresses"`
	Graphs                   []struct{}    `json:"graphs"`
	Invocations              []struct{}    `json:"invocations"`
	Language                 string        `json:"language"`
	LogicalLocations         []struct{}    `json:"logicalLocations"`
	NewlineSequences         []string      `json:"newlineSequences"`
	Policies                 []struct{}    `json:"policies"`
	RedactionTokens          []struct{}    `json:"redactionTokens"`
	Results                  []sarifResult `json:"results"`
	RunAggregates            []struct{}    `json:"runAggregates"`
	Taxonomies               []struct{}    `json:"taxonomies"`
	ThreadFlowLocations      []struct{}    `json:"threadFlowLocations"`
	Tool                     sarifTool     `json:"tool"`
	Translations             []struct{}    `json:"translations"`
	VersionControlProvenance []struct{}    `json:"versionControlProvenance"`
	WebRequests              []struct{}    `json:"webRequests"`
	WebResponses             []struct{}    `json:"webResponses"`
}

// newSARIFRun returns a run of the tool name with no rules or results.
func newSARIFRun(name, informationURI string) *sarifRun {
	none := []struct{}{}
	return &sarifRun{
		Addresses: none, Graphs: none, Invocations: none, Language: "en-US", LogicalLocations: none,
		NewlineSequences: []string{"\r\n", "\n"}, Policies: none, RedactionTokens: none,
		Results: []sarifResult{}, RunAggregates: none, Taxonomies: none, ThreadFlowLocations: none,
		Tool: sarifTool{
			Driver: sarifDriver{
				Contents: []string{"localizedData", "nonLocalizedData"}, InformationURI: informationURI,
				Language: "en-US", Locations: none, Name: name, Notifications: none,
				Rules: []sarifRule{}, SupportedTaxonomies: none, Taxa: none,
			},
			Extensions: none,
		},
		Translations: none, VersionControlProvenance: none, WebRequests: none, WebResponses: none,
	}
}

type sarifTool struct {
	Driver     sarifDriver `json:"driver"`
	Extensions []struct{}  `json:"extensions"`
}

type sarifDriver struct {
	Contents            []string    `json:"contents"`
	InformationURI      string      `json:"informationUri"`
	IsComprehensive     bool        `json:"isComprehensive"`
	Language            string      `json:"language"`
	Locations           []struct{}  `json:"locations"`
	Name                string      `json:"name"`
	Notifications       []struct{}  `json:"notifications"`
	Rules               []sarifRule `json:"rules"`
	SupportedTaxonomies []struct{}  `json:"supportedTaxonomies"`
	Taxa                []struct{}  `json:"taxa"`
}

// sarifRule is a reportingDescriptor: a rule of the catalogue.
type sarifRule struct {
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	HelpURI              string             `json:"helpUri"`
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	Properties           sarifTags          `json:"properties"`
	Relationships        []struct{}         `json:"relationships"`
	ShortDescription     sarifText          `json:"shortDescription"`
}

type sarifConfiguration struct {
	Enabled bool   `json:"enabled"`
	Level   string `json:"level"`
	Rank    int    `json:"rank"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Markdown string `json:"markdown"`
	Text     string `json:"text"`
}

type sarifTags struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Attachments         []struct{}        `json:"attachments"`
	CodeFlows           []struct{}        `json:"codeFlows"`
	Fixes               []struct{}        `json:"fixes"`
	GraphTraversals     []struct{}        `json:"graphTraversals"`
	Graphs              []struct{}        `json:"graphs"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Locations           []sarifLocation   `json:"locations"`
	Message             sarifMessage      `json:"message"`
	Rank                int               `json:"rank"`
	RelatedLocations    []struct{}        `json:"relatedLocations"`
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Stacks              []struct{}        `json:"stacks"`
	Taxa                []struct{}        `json:"taxa"`
}

type sarifMessage struct {
	Arguments []struct{} `json:"arguments"`
	Text      string     `json:"text"`
}

type sarifLocation struct {
	Annotations      []struct{}            `json:"annotations"`
	ID               int                   `json:"id"`
	LogicalLocations []struct{}            `json:"logicalLocations"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Relationships    []struct{}            `json:"relationships"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	Index     int    `json:"index"`
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	ByteOffset int `json:"byteOffset"`
	CharOffset int `json:"charOffset"`
	StartLine  int `json:"startLine"`
}
