//! Industry in plain words: a bilingual word search over the NAICS 2-digit sectors.
//!
//! A member writes what they do or where they work ("nurse", "almacén", "warehouse driver");
//! each word is matched against the sector names (registry::SECTORS, English and Spanish) and a
//! table of common job and workplace words. Matching ignores case and Spanish accents and accepts
//! a plural `s`/`es`. The sectors are ranked by how many words hit them.

use shopfloor_protocol::registry;

/// Common job and workplace words, English and Spanish, for each sector: comma-separated, a
/// phrase of several words matched as a whole.
const WORDS: &[(&str, &str)] = &[
    (
        "11",
        concat!(
            "farm, farmworker, agriculture, harvest, crop, fishing, forestry, logging, ",
            "granja, campo, campesino, agricultura, cosecha, pesca",
        ),
    ),
    (
        "21",
        "mine, miner, mining, oil, gas, drilling, quarry, mina, minero, petroleo",
    ),
    (
        "22",
        "utility, utilities, electric, power, water, lineman, electricidad, agua, luz",
    ),
    (
        "23",
        concat!(
            "construction, carpenter, electrician, plumber, roofer, laborer, builder, ",
            "drywall, welder, construccion, carpintero, electricista, plomero, albanil, ",
            "techador, soldador, obra",
        ),
    ),
    (
        "31-33",
        concat!(
            "factory, plant, manufacturing, assembly, machinist, production, fabrica, ",
            "planta, manufactura, ensamblaje, maquinista, produccion, operario, poultry, ",
            "meatpacking, avicola, empacadora",
        ),
    ),
    (
        "42",
        "wholesale, distributor, mayoreo, mayorista, distribuidor",
    ),
    (
        "44-45",
        concat!(
            "retail, store, cashier, shop, grocery, supermarket, sales, clerk, tienda, ",
            "cajero, cajera, supermercado, ventas, dependiente, comercio",
        ),
    ),
    (
        "48-49",
        concat!(
            "warehouse, driver, trucker, truck, delivery, courier, transit, bus, airline, ",
            "airport, logistics, shipping, postal, rail, railroad, almacen, bodega, chofer, ",
            "conductor, camionero, repartidor, transporte, aeropuerto, logistica, envios, ",
            "autobus",
        ),
    ),
    (
        "51",
        concat!(
            "software, tech, telecom, media, journalist, publishing, video, game, ",
            "programmer, developer, informatica, periodista, programador, ",
            "telecomunicaciones, medios",
        ),
    ),
    (
        "52",
        concat!(
            "bank, banking, insurance, finance, teller, banco, seguros, finanzas, ",
            "cajero bancario",
        ),
    ),
    (
        "53",
        "real estate, leasing, rental, property, inmobiliaria, alquiler, bienes raices",
    ),
    (
        "54",
        concat!(
            "lawyer, accountant, engineer, architect, consultant, designer, paralegal, ",
            "abogado, contador, ingeniero, arquitecto, consultor, disenador",
        ),
    ),
    ("55", "headquarters, holding, corporate, sede, corporativo"),
    (
        "56",
        concat!(
            "janitor, custodian, cleaner, cleaning, security, guard, temp, staffing, ",
            "landscaping, call center, conserje, limpieza, intendente, seguridad, guardia, ",
            "jardineria, temporal",
        ),
    ),
    (
        "61",
        concat!(
            "teacher, school, university, college, professor, education, paraprofessional, ",
            "tutor, student, graduate, maestro, maestra, profesor, profesora, escuela, ",
            "universidad, educacion, docente",
        ),
    ),
    (
        "62",
        concat!(
            "nurse, nursing, hospital, doctor, clinic, health, healthcare, caregiver, ",
            "home care, aide, medical, pharmacy, therapist, childcare, daycare, ",
            "social worker, enfermera, enfermero, enfermeria, medico, clinica, salud, ",
            "cuidadora, cuidador, farmacia, terapeuta, guarderia",
        ),
    ),
    (
        "71",
        concat!(
            "arts, artist, musician, actor, museum, theater, sports, gym, casino, artista, ",
            "musico, museo, teatro, deportes, gimnasio",
        ),
    ),
    (
        "72",
        concat!(
            "restaurant, cook, chef, server, waiter, waitress, barista, bartender, ",
            "dishwasher, hotel, housekeeper, housekeeping, food, fast food, restaurante, ",
            "cocinero, cocinera, mesero, mesera, lavaplatos, camarera, comida, cafeteria",
        ),
    ),
    (
        "81",
        concat!(
            "mechanic, repair, salon, barber, hairdresser, laundry, nonprofit, church, ",
            "mecanico, reparacion, barbero, peluqueria, estilista, lavanderia, iglesia",
        ),
    ),
    (
        "92",
        concat!(
            "government, public sector, federal, postal service, firefighter, police, ",
            "gobierno, municipal, estatal, bombero",
        ),
    ),
];

/// Lowercase, Spanish accents removed, everything but letters and digits a space.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect()
}

/// The singular a plural word may stand for (`nurses` → `nurse`, `almacenes` → `almacen`).
fn singulars(word: &str) -> Vec<&str> {
    let mut out = vec![word];
    if word.len() > 3 {
        if let Some(w) = word.strip_suffix("es") {
            out.push(w);
        }
        if let Some(w) = word.strip_suffix('s') {
            out.push(w);
        }
    }
    out
}

/// Words too common to say anything about an industry.
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "at",
    "in",
    "on",
    "for",
    "i",
    "work",
    "worker",
    "my",
    "el",
    "la",
    "los",
    "las",
    "de",
    "del",
    "en",
    "y",
    "o",
    "un",
    "una",
    "trabajo",
    "trabajador",
    "trabajadora",
    "mi",
    "soy",
];

/// Sector codes matching the words of `text`, best first (at most six). Empty when nothing
/// matches or the text is blank.
pub fn search(text: &str) -> Vec<&'static str> {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split_whitespace()
        .filter(|w| !STOP.contains(w))
        .take(20)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let padded = format!(" {} ", words.join(" "));
    let mut scores: Vec<(&'static str, usize)> = Vec::new();
    for term in registry::SECTORS {
        let mut score = 0;
        let names = format!(" {} {} ", fold(term.en), fold(term.es));
        let name_words: Vec<&str> = names.split_whitespace().filter(|w| w.len() > 3).collect();
        for w in &words {
            if singulars(w).iter().any(|s| name_words.contains(s)) {
                score += 1;
            }
        }
        if let Some((_, list)) = WORDS.iter().find(|(code, _)| *code == term.code) {
            for phrase in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if phrase.contains(' ') {
                    if padded.contains(&format!(" {phrase} ")) {
                        score += 2;
                    }
                } else if words.iter().any(|w| singulars(w).contains(&phrase)) {
                    score += 2;
                }
            }
        }
        if score > 0 {
            scores.push((term.code, score));
        }
    }
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    scores.into_iter().take(6).map(|(c, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_words_find_their_sector_in_both_languages() {
        assert_eq!(search("nurse").first(), Some(&"62"));
        assert_eq!(search("Enfermera").first(), Some(&"62"));
        assert_eq!(search("warehouse").first(), Some(&"48-49"));
        assert_eq!(search("almacén").first(), Some(&"48-49"));
        assert_eq!(search("Nurses at the hospital").first(), Some(&"62"));
        assert_eq!(search("cocinero en un restaurante").first(), Some(&"72"));
        assert_eq!(search("manufacturing").first(), Some(&"31-33"));
        assert!(search("").is_empty());
        assert!(search("zzzz qqqq").is_empty());
        for (code, _) in WORDS {
            assert!(crate::domain::vocab::is_sector(code), "{code}");
        }
    }
}
