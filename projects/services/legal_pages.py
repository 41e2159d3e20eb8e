"""The editorial pages every State site must have, created once by `setup_site` (and the seed)
as ordinary Wagtail pages that the portal team then edits in the admin.

Only what is written by people lives here; what is computed (the accessibility audit's figures,
the hosting details from the settings, the page tree of the site map) is added by each page's
template at display time, so that it never goes stale. Existing pages are never overwritten:
staff edits win."""

from __future__ import annotations

from projects.models import ContentPage, HomePage

Kind = ContentPage.Kind

ACCESSIBILITY = """
<p>Les services de l'État en Hauts-de-France (DREETS et ARS) s'engagent à rendre leurs sites
internet accessibles conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.
Cette déclaration d'accessibilité s'applique au Portail régional des projets financés.</p>
<h2>État de conformité</h2>
<p>Le portail est <strong>partiellement conforme</strong> avec le référentiel général
d'amélioration de l'accessibilité (RGAA), version 4.1, en raison des non-conformités
énumérées ci-dessous. Les résultats chiffrés de l'audit figurent plus bas sur cette page.</p>
<h2>Contenus non accessibles</h2>
<p>Les cartes interactives (fonds de carte et survol des territoires) ne sont pas entièrement
utilisables au clavier ni avec un lecteur d'écran : chaque carte est doublée d'un tableau et
d'une phrase de synthèse qui donnent la même information.</p>
<p>Les documents sources (brochures converties depuis des PDF) sont cités tels quels ; leur
version d'origine n'est pas toujours accessible.</p>
<h2>Dérogations pour charge disproportionnée</h2>
<p>Aucune.</p>
<h2>Contenus non soumis à l'obligation d'accessibilité</h2>
<p>Les fonds de carte fournis par un tiers (tuiles cartographiques).</p>
<h2>Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie le 1er décembre 2026 à partir d'une auto-évaluation de
l'équipe du portail, critère par critère, sur un échantillon de pages : accueil, liste des
projets, une page projet, une page programme, une page territoire, carte des projets, zones
sans projet, suivi des programmes, une page légale et la page de résultats de recherche.</p>
<p>Technologies utilisées : HTML5, CSS, JavaScript, WAI-ARIA, Système de design de l'État
(DSFR). Vérifications : navigation au clavier, Chromium (mode sans interface) avec axe-core,
validateur HTML Nu, lecture du code des pages.</p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter
l'équipe du portail (adresse ci-dessous) pour être orienté vers une alternative accessible ou
obtenir le contenu sous une autre forme.</p>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une
fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir de
réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de
saisine au Défenseur des droits :</p>
<ul>
<li>écrire un message au Défenseur des droits au moyen du formulaire en ligne de son site
(defenseurdesdroits.fr) ;</li>
<li>contacter le délégué du Défenseur des droits dans votre département ;</li>
<li>appeler le 09 69 39 00 00 ;</li>
<li>envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits,
Libre réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>
"""

LEGAL_NOTICE = """
<h2>Éditeur</h2>
<p>Le portail est édité conjointement par la Direction régionale de l'économie, de l'emploi,
du travail et des solidarités (DREETS) des Hauts-de-France et par l'Agence régionale de santé
(ARS) Hauts-de-France, services de l'État.</p>
<h2>Directeurs de la publication</h2>
<p>Le directeur régional de la DREETS Hauts-de-France et le directeur général de l'ARS
Hauts-de-France, chacun pour les programmes de son service.</p>
<h2>Licence des contenus et des données</h2>
<p>Sauf mention contraire, les textes et les données du portail (projets, indicateurs,
territoires) sont publiés sous la Licence Ouverte / Open Licence version 2.0 d'Etalab : vous
pouvez les réutiliser librement, y compris à des fins commerciales, en citant la source et la
date de mise à jour. Les données territoriales proviennent de l'INSEE (code officiel
géographique, populations légales), de l'IGN (ADMIN EXPRESS) et de la DGCL (périmètres des
EPCI), sous la même licence.</p>
<p>Les fonds de carte sont © les contributeurs OpenStreetMap ou l'IGN, selon la configuration
du portail, sous leurs licences respectives.</p>
<h2>Liens vers le portail</h2>
<p>Tout site public ou privé peut faire un lien vers les pages du portail sans autorisation
préalable. Les adresses des pages sont stables.</p>
"""

PERSONAL_DATA = """
<p>Le portail traite le moins de données personnelles possible. Cette page dit lesquelles,
pourquoi, combien de temps, et comment exercer vos droits (règlement général sur la protection
des données, RGPD, et loi « Informatique et libertés »).</p>
<h2>Comptes des agents</h2>
<p>Les agents de la DREETS et de l'ARS qui publient et valident les contenus ont un compte
(nom, adresse électronique professionnelle, rôle, historique des modifications). Base légale :
mission d'intérêt public. Conservation : la durée de leur fonction, puis suppression du compte ;
l'historique des pages garde le nom de l'auteur de chaque version.</p>
<h2>Contacts publiés sur les pages projets</h2>
<p>Les coordonnées publiées sont celles que les porteurs de projet ont eux-mêmes rendues
publiques (dans le document source cité sur la page), celles qu'ils ont accepté de publier
(accord recueilli, daté, par un agent nommé), ou des adresses fonctionnelles de service.
Chaque contact affiche la base de sa publication. Une personne peut demander à tout moment le
retrait de ses coordonnées : elles sont alors effacées de la page et de son historique.</p>
<h2>Journaux techniques</h2>
<p>Les serveurs gardent, pour la sécurité du service, les journaux de connexion (adresse IP,
date, page demandée) pendant 12 mois au plus, et les tentatives de connexion à l'espace agents
pour bloquer les attaques par essais répétés.</p>
<h2>Cookies</h2>
<p>Le portail ne dépose aucun cookie de mesure d'audience ni de publicité. Seuls des cookies
strictement nécessaires sont utilisés (session et protection des formulaires de l'espace
agents) : ils ne demandent pas de consentement.</p>
<h2>Vos droits</h2>
<p>Vous disposez d'un droit d'accès, de rectification, d'effacement et d'opposition. Écrivez à
l'équipe du portail (adresse ci-dessous) ou au délégué à la protection des données du service
concerné. Vous pouvez aussi adresser une réclamation à la CNIL (cnil.fr).</p>
"""

COOKIES = """
<p>Le portail ne dépose <strong>aucun cookie non essentiel</strong> : pas de mesure
d'audience, pas de publicité, pas de réseau social. Il n'y a donc rien à accepter ni à
refuser.</p>
<p>Les seuls cookies utilisés sont strictement nécessaires au fonctionnement de l'espace des
agents (maintien de la connexion, protection des formulaires contre la falsification de
requête) ; ils ne sont déposés que lorsqu'un agent se connecte.</p>
"""

SITE_MAP = """
<p>Toutes les pages du portail, par rubrique.</p>
"""

#: slug → (kind, title, body). Slugs are public addresses: never change them.
LEGAL_PAGES = {
    "declaration-accessibilite": (Kind.ACCESSIBILITY, "Déclaration d'accessibilité", ACCESSIBILITY),
    "mentions-legales": (Kind.LEGAL_NOTICE, "Mentions légales", LEGAL_NOTICE),
    "donnees-personnelles": (Kind.PERSONAL_DATA, "Données personnelles", PERSONAL_DATA),
    "gestion-des-cookies": (Kind.COOKIES, "Gestion des cookies", COOKIES),
    "plan-du-site": (Kind.SITE_MAP, "Plan du site", SITE_MAP),
}


def ensure_legal_pages(home: HomePage) -> list[ContentPage]:
    """Create the missing legal pages under the home page, published; leave existing ones as
    staff edited them. Returns the pages in footer order."""
    pages = []
    for slug, (kind, title, body) in LEGAL_PAGES.items():
        page = ContentPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = ContentPage(title=title, slug=slug, kind=kind, body=" ".join(body.split()),
                               show_in_menus=False)
            home.add_child(instance=page)
            page.save_revision().publish()
        pages.append(page)
    return pages
