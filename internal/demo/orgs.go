package demo

import "github.com/registre/registre/register"

// organisation is a demo organisation and its units.
type organisation struct {
	org   register.Organisation
	units [][2]string // slug, name
}

// organisations are the canton and three cities. Contacts are fictitious
// (example.ch): the demo must never send anyone's mail to a real office.
func organisations() []organisation {
	return []organisation{
		{register.Organisation{Slug: "etat-de-geneve", Name: "République et canton de Genève",
			Address: "Rue de l'Hôtel-de-Ville 2, 1204 Genève", Website: "https://www.ge.example",
			DPOContact: "Délégué·e à la protection des données, dpo@etat.ge.example", LIPADContact: "Responsable LIPAD, lipad@etat.ge.example",
			TransparencyContact: "Chancellerie d'État, accès aux documents, transparence@etat.ge.example"},
			[][2]string{{"population", "Office cantonal de la population et des migrations"}, {"fiscalite", "Administration fiscale cantonale"},
				{"instruction-publique", "Département de l'instruction publique"}, {"personnel", "Office du personnel de l'État"},
				{"police", "Police cantonale"}, {"droits-politiques", "Service des votations et élections"}}},
		{register.Organisation{Slug: "ville-de-geneve", Name: "Ville de Genève",
			Address: "Palais Eynard, rue de la Croix-Rouge 4, 1204 Genève", Website: "https://www.geneve.example",
			DPOContact: "Conseillère à la protection des données, dpo@ville-ge.example", LIPADContact: "Responsable LIPAD, lipad@ville-ge.example",
			TransparencyContact: "Secrétariat général, accès aux documents, transparence@ville-ge.example"},
			[][2]string{{"etat-civil", "Service de l'état civil"}, {"social", "Service social"}, {"ecoles", "Service des écoles et institutions pour l'enfance"},
				{"voirie", "Voirie – Ville propre"}, {"bibliotheques", "Bibliothèques municipales"}, {"petite-enfance", "Service de la petite enfance"},
				{"ressources-humaines", "Direction des ressources humaines"}, {"police-municipale", "Police municipale"}, {"pompes-funebres", "Service des pompes funèbres et cimetières"}}},
		{register.Organisation{Slug: "carouge", Name: "Ville de Carouge",
			Address: "Place du Marché 14, 1227 Carouge", Website: "https://www.carouge.example",
			DPOContact: "Protection des données, dpo@carouge.example", LIPADContact: "Secrétariat général, lipad@carouge.example"},
			[][2]string{{"administration", "Secrétariat général"}, {"ecoles", "Service des affaires scolaires"},
				{"police-municipale", "Police municipale"}, {"voirie", "Service de la voirie"}, {"culture", "Service de la culture"}}},
		{register.Organisation{Slug: "vernier", Name: "Ville de Vernier",
			Address: "Rue du Village 9, 1214 Vernier", Website: "https://www.vernier.example",
			DPOContact: "Protection des données, dpo@vernier.example", LIPADContact: "Chancellerie, lipad@vernier.example"},
			[][2]string{{"administration", "Chancellerie"}, {"social", "Service de la cohésion sociale"},
				{"voirie", "Service de l'environnement et de la voirie"}, {"sports", "Service des sports"}}},
	}
}

// laslp is the social-aid law in force since 2025-01-01, which replaced the
// LIASI; its rsGE number is not yet in shared/reference, so it has no link.
func laslp() register.LegalBasis {
	return register.LegalBasis{Type: register.BasisLaw, Reference: "Loi sur l'aide sociale et la lutte contre la précarité (LASLP), en vigueur depuis le 1er janvier 2025",
		Level: register.NormFormalLaw}
}

// law builds a legal basis from the references of shared/reference
// (legal_references.csv): the official collections' URLs.
func law(key, ref string) register.LegalBasis {
	urls := map[string]string{
		"LIPAD": "https://silgeneve.ch/legis/data/rsg_a2_08.htm", "RIPAD": "https://silgeneve.ch/legis/data/rsg_a2_08p01.htm",
		"LArch": "https://silgeneve.ch/legis/data/rsg_b2_15.htm", "LPAC": "https://silgeneve.ch/legis/program/books/RSG/htm/rsg_b5_05.htm",
		"LIP":   "https://silgeneve.ch/legis/data/rsg_c1_10.htm",
		"LaLHR": "https://silgeneve.ch/legis/program/books/rsg/htm/rsg_f2_25.htm", "LCP": "https://silgeneve.ch/legis/data/rsg_f2_20.htm",
		"LEDP": "https://silgeneve.ch/legis/program/books/RSG/htm/rsg_a5_05.htm", "LAC": "https://silgeneve.ch/legis/data/rsg_b6_05.htm",
		"LPol": "https://silgeneve.ch/legis/data/rsg_F1_05.htm", "LPFisc": "https://silgeneve.ch/legis/program/books/RSG/htm/rsg_d3_17.htm",
		"LPD": "https://www.fedlex.admin.ch/eli/cc/2022/491/fr", "CC": "https://www.fedlex.admin.ch/eli/cc/24/233_245_233/fr",
		"OEC": "https://www.fedlex.admin.ch/eli/cc/2004/362/fr",
	}
	// The RIPAD and the OEC are regulations (of the Conseil d'État and of
	// the Federal Council); the others are laws adopted by a parliament.
	level := register.NormFormalLaw
	if key == "RIPAD" || key == "OEC" {
		level = register.NormRegulation
	}
	return register.LegalBasis{Type: register.BasisLaw, Reference: ref, URL: urls[key], Level: level}
}
