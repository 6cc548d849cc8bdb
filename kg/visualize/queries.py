"""The SPARQL that projects the budget graph onto networkx views (kept apart from the Python that uses it).

Every query is ``SELECT DISTINCT``: Oxigraph's union default graph repeats a triple once per named graph
that holds it, and shared nodes (policy documents, codes) are described in several graphs.
"""

PREFIXES = """PREFIX bkg:  <https://w3id.org/budget-kg/ontology#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa:   <http://www.w3.org/ns/oa#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
"""

# One row per project (a project may print several labels or departments: the caller keeps the first).
PROJECTS = PREFIXES + """
SELECT DISTINCT ?project ?label ?amount ?year ?carried ?department ?department_label WHERE {
  ?project a bkg:Project ; rdfs:label ?label .
  OPTIONAL { ?project bkg:amount ?amount }
  OPTIONAL { ?project bkg:carriedOver ?carried }
  OPTIONAL { ?project bkg:fiscalYear ?year }
  OPTIONAL { ?project bkg:disclosure ?disclosure .
             ?disclosure dct:publisher/org:subOrganizationOf? ?department .
             ?department a bkg:Department .
             OPTIONAL { ?department rdfs:label ?department_label } }
}
ORDER BY ?project ?label ?department
"""

BASIS_LINKS = PREFIXES + """
SELECT DISTINCT ?project ?document WHERE { ?project a bkg:Project ; bkg:basis ?document }
ORDER BY ?project ?document
"""

POLICY_DOCUMENTS = PREFIXES + """
SELECT DISTINCT ?document ?number ?title ?level ?issuer WHERE {
  ?document a bkg:PolicyDocument .
  OPTIONAL { ?document bkg:docNumber ?number }
  OPTIONAL { ?document dct:title ?title }
  OPTIONAL { ?document bkg:issuerLevel ?level }
  OPTIONAL { ?document bkg:issuer/rdfs:label ?issuer }
}
ORDER BY ?document ?number ?title
"""

TOWNSHIP_LINKS = PREFIXES + """
SELECT DISTINCT ?project ?township ?label ?code WHERE {
  ?project a bkg:Project ; bkg:township ?township .
  OPTIONAL { ?township rdfs:label ?label }
  OPTIONAL { ?township skos:notation ?code }
}
ORDER BY ?township ?project
"""

# Function codes, their parent, and the money of the expenditure lines printed against each code.
FUNCTION_CODES = PREFIXES + """
SELECT ?code ?notation ?label ?broader (SUM(?total) AS ?money) (COUNT(?line) AS ?lines) WHERE {
  { SELECT DISTINCT ?code ?notation ?label ?broader WHERE {
      ?code a bkg:FunctionCode ; skos:notation ?notation .
      OPTIONAL { ?code skos:prefLabel ?label }
      OPTIONAL { ?code skos:broader ?broader } } }
  OPTIONAL { SELECT DISTINCT ?code ?line ?total WHERE {
      ?line a bkg:ExpenditureLine ; bkg:functionCode ?code ; bkg:total ?total } }
}
GROUP BY ?code ?notation ?label ?broader
ORDER BY ?code
"""

# The fiscal year of each classification scheme: the year of the disclosures whose lines use its codes
# (the same notation, 2080505, is one concept per year's scheme, and the views must tell them apart).
CODE_SCHEME_YEARS = PREFIXES + """
SELECT DISTINCT ?scheme ?year WHERE {
  ?line a bkg:ExpenditureLine ; bkg:functionCode/skos:inScheme ?scheme ; bkg:disclosure/bkg:fiscalYear ?year .
}
ORDER BY ?scheme ?year
"""

# Every function code's scheme (to read its year from CODE_SCHEME_YEARS).
CODE_SCHEMES = PREFIXES + """
SELECT DISTINCT ?code ?scheme WHERE { ?code a bkg:FunctionCode ; skos:inScheme ?scheme }
"""

# Where each node was read: the file and first line of every span it was derived from (a span's IRI ends in
# an RFC 5147 fragment, "#line=9,12" for lines 10-12: its first line is the number after "=", plus one; a graph
# built before the fragments states it as bkg:firstLine).
SOURCE_LINES = PREFIXES + """
SELECT DISTINCT ?node ?file ?first WHERE {
  ?node prov:wasDerivedFrom ?lines .
  ?lines oa:hasSource ?disclosure .
  ?disclosure bkg:sourceFile ?file .
  OPTIONAL { ?lines bkg:firstLine ?stated }
  BIND (COALESCE(?stated, xsd:integer(STRBEFORE(STRAFTER(STR(?lines), "#line="), ",")) + 1) AS ?first)
  FILTER (BOUND(?first))
}
"""
