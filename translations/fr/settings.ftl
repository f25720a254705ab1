### Textes du tableau des réglages et de son formulaire.

## Pages

web-page-identity = Identités
web-page-identity-help = Comptes SIP de ce téléphone. L'identité 1 est celle affichée sur l'écran du téléphone.
web-page-preferences = Préférences
web-page-preferences-help = Comment le téléphone traite les appels, ce qu'affichent son écran et ses voyants, et son horloge.
web-page-function-keys = Touches de fonction
web-page-function-keys-help = Ce que font les touches programmables à côté de l'écran et les touches fixes.
web-page-network = Réseau
web-page-network-help = Adresses, VLAN, serveur de temps et services que le téléphone offre sur le réseau.
web-page-sip-rtp = SIP/RTP
web-page-sip-rtp-help = Réglages de signalisation et de média communs à toutes les identités.
web-page-qos-security = QoS/Sécurité
web-page-qos-security-help = Priorités du trafic, accès à cette interface web et vérification des certificats.
web-page-provisioning = Provisionnement
web-page-provisioning-help = Où le téléphone récupère ses réglages et à quelle fréquence.
web-page-update = Mise à jour
web-page-update-help = Quand et d'où le téléphone met à jour son logiciel.
web-page-language = Langue
web-page-language-help = Langues de l'écran du téléphone et de cette interface web.
web-page-audio = Audio
web-page-audio-help = Volumes, tonalités, mélodies, casque et annonces multicast.
web-page-action-urls = URL d'action
web-page-action-urls-help = Adresses web que le téléphone appelle lors d'événements, par exemple pour ouvrir une fiche client.

## Sections

web-section-identity-login = Connexion
web-section-identity-sip = SIP
web-section-identity-rtp = Média
web-section-identity-ringing = Sonnerie
web-section-preferences-call-features = Fonctions d'appel
web-section-preferences-redirection = Renvoi d'appel
web-section-preferences-keyboard-lock = Verrouillage du clavier
web-section-preferences-messages = Messages
web-section-preferences-time = Date et heure
web-section-preferences-display = Écran
web-section-preferences-leds = Voyants
web-section-function-keys-programmable = Touches programmables
web-section-function-keys-fixed-keys = Touches fixes
web-section-network-ip = IP
web-section-network-vlan = VLAN
web-section-network-time = Serveur de temps
web-section-network-services = Services
web-section-network-diagnostics = Diagnostic
web-section-network-wifi = Wi-Fi
web-section-sip-rtp-sip = SIP
web-section-sip-rtp-nat = NAT
web-section-sip-rtp-rtp = RTP
web-section-qos-security-qos = Qualité de service
web-section-qos-security-web-access = Accès web
web-section-qos-security-certificates = Certificats
web-section-provisioning-server = Serveur
web-section-provisioning-polling = Interrogation
web-section-update-firmware = Micrologiciel
web-section-language-language = Langue
web-section-audio-volume = Volume
web-section-audio-tones = Tonalités
web-section-audio-ringers = Mélodies
web-section-audio-devices = Appareils
web-section-audio-multicast = Annonces multicast
web-section-action-urls-calls = Appels
web-section-action-urls-status = État

## Le formulaire des réglages

web-settings-source-default = valeur par défaut
# Variables:
#   $url (String) - the provisioning file the value came from
web-settings-source-provisioned = provisionné depuis { $url }
web-settings-source-local = modifié localement
web-settings-index = Numéro
# Variables:
#   $index (Number) - the index, from 1
web-settings-index-option = Numéro { $index }
web-settings-reset = Réinitialiser
# Variables:
#   $label (String) - the setting's label
web-settings-reset-title = Remettre { $label } à sa valeur par défaut
web-settings-not-implemented = Ce réglage est enregistré mais n'a encore aucun effet.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-ip = { $label } doit être une adresse IPv4 ou IPv6.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-port = { $label } doit être un port de 1 à 65535.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-url = { $label } doit être une adresse http, https, ftp ou tftp.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-zone = { $label } doit être un fuseau horaire de la liste.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-of-day = { $label } doit être une heure au format HH:MM.
# Variables:
#   $label (String) - the setting's label
#   $allowed (String) - the codec names
web-invalid-bad-codec-list = { $label } doit énumérer des codecs séparés par des virgules, chacun une fois, parmi : { $allowed }.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-response-list = { $label } doit énumérer des réponses SIP séparées par des virgules, par ex. 503, 500 Server Internal Error.
# Variables:
#   $label (String) - the setting's label
web-invalid-read-only = { $label } a été verrouillé en lecture seule par le provisionnement.

## Identité : connexion

setting-user-active-label = Active
setting-user-active-help = Utiliser cette identité : l'enregistrer (si un registrar est indiqué) et accepter ses appels.
setting-user-realname-label = Nom affiché
setting-user-realname-help = Le nom affiché sur l'écran du téléphone et envoyé aux personnes que vous appelez.
setting-user-name-label = Nom d'utilisateur
setting-user-name-help = Le nom d'utilisateur SIP (la partie avant le @ de votre adresse).
setting-user-host-label = Registrar
setting-user-host-help = Nom d'hôte ou adresse IP du serveur SIP, éventuellement avec :port. Laisser vide pour les appels IP directs.
setting-user-pname-label = Nom d'authentification
setting-user-pname-help = Le nom d'utilisateur que le serveur SIP demande pour vérifier votre mot de passe. Laisser vide pour utiliser le nom d'utilisateur.
setting-user-pass-label = Mot de passe
setting-user-pass-help = Le mot de passe SIP. Il n'est plus jamais affiché ; laisser le champ vide pour le conserver.
setting-user-hash-label = Empreinte du mot de passe
setting-user-hash-help = L'empreinte MD5 du nom d'utilisateur, du realm et du mot de passe, utilisée à la place du mot de passe. Elle n'est plus jamais affichée.
setting-user-outbound-label = Proxy sortant
setting-user-outbound-help = Nom d'hôte ou adresse IP, éventuellement avec :port, d'un proxy par lequel passent toutes les requêtes de cette identité. Laisser vide pour les envoyer au registrar.
setting-user-mailbox-label = Messagerie
setting-user-mailbox-help = Le numéro ou l'adresse que la touche message compose pour joindre votre messagerie vocale.
setting-user-idle-text-label = Texte de l'écran de veille
setting-user-idle-text-help = Texte affiché sur l'écran de veille à la place du nom de l'identité.
setting-user-hidden-label = Masquée
setting-user-hidden-help = Ne pas montrer cette identité dans la liste de l'écran ; elle s'enregistre et reçoit les appels quand même.

## Identité : SIP

setting-user-expiry-label = Intervalle d'enregistrement
setting-user-expiry-help = Combien de secondes le registrar doit garder cette identité enregistrée. Le téléphone renouvelle l'enregistrement avant son expiration.
setting-user-mwi-subscribe-label = S'abonner aux messages en attente
setting-user-mwi-subscribe-help = Demander au serveur de cette identité les notifications de messagerie vocale (indication de message en attente).
setting-user-dtmf-info-label = DTMF par SIP INFO
setting-user-dtmf-info-help = Envoyer les chiffres du clavier pendant un appel en messages SIP INFO : off, on (en plus des événements RTP) ou sip_info_only.
setting-user-proxy-require-label = Proxy-Require
setting-user-proxy-require-help = Extensions à nommer dans un en-tête Proxy-Require de chaque requête ; vide pour aucune.
setting-user-sipusername-as-line-label = Nom d'utilisateur comme nom de ligne
setting-user-sipusername-as-line-help = Afficher sur les touches de ligne le nom d'utilisateur SIP au lieu du nom affiché.
setting-user-q-label = Priorité du contact
setting-user-q-help = La valeur q du contact de ce téléphone quand plusieurs appareils partagent l'identité, de 0.0 à 1.0.
setting-user-failover-identity-label = Identité de secours
setting-user-failover-identity-help = L'identité utilisée pour les appels tant que celle-ci n'est pas enregistrée.
setting-user-subscription-expiry-label = Intervalle d'abonnement
setting-user-subscription-expiry-help = Combien de secondes durent les abonnements aux événements (voyants, messagerie) de cette identité avant leur renouvellement.
setting-user-server-type-label = Type de serveur
setting-user-server-type-help = Le type de serveur SIP, pour ses particularités ; default pour un serveur standard.
setting-user-descr-contact-label = Nom dans Contact
setting-user-descr-contact-help = Mettre aussi le nom affiché dans l'en-tête Contact.
setting-user-shared-line-label = Ligne partagée
setting-user-shared-line-help = Cette identité est partagée avec d'autres téléphones : afficher leurs appels et permettre de les reprendre.
setting-user-event-list-subscription-label = S'abonner à une liste d'événements
setting-user-event-list-subscription-help = Surveiller les voyants de nombreux utilisateurs avec un seul abonnement à une liste du serveur.
setting-user-event-list-uri-label = Adresse de la liste d'événements
setting-user-event-list-uri-help = L'adresse SIP de la liste des utilisateurs à surveiller sur le serveur.
setting-user-dp-exp-label = Expression du plan de numérotation
setting-user-dp-exp-help = Un motif de numéros composés dès qu'ils sont complets, sans appuyer sur la touche d'appel.
setting-user-dp-label = Plan de numérotation
setting-user-dp-help = Règles qui réécrivent les numéros composés avant leur envoi.

## Identité : média

setting-user-srtp-label = Média chiffré (SRTP)
setting-user-srtp-help = Proposer un son chiffré pour les appels de cette identité.
setting-user-savp-label = Exiger le chiffrement
setting-user-savp-help = Si le son chiffré est désactivé, proposé (optional) ou exigé (mandatory) lors de l'établissement de l'appel.
setting-user-auth-tag-label = Étiquette d'authentification SRTP de 32 bits
setting-user-auth-tag-help = Préférer AES_CM_128_HMAC_SHA1_32 (4 octets de moins par paquet) à l'étiquette de 80 bits pour proposer ou accepter un son chiffré.
setting-user-symmetrical-rtp-label = RTP symétrique
setting-user-symmetrical-rtp-help = Envoyer le son à l'adresse d'où vient le son de l'autre côté, ce qui aide derrière un NAT.
setting-user-full-sdp-answer-label = Réponse SDP complète
setting-user-full-sdp-answer-help = Répondre avec tous les codecs proposés que le téléphone prend en charge, pas seulement celui choisi.
setting-user-ice-label = ICE
setting-user-ice-help = Trouver un chemin média qui traverse le NAT à l'aide de candidats ICE.
setting-user-codec-priority-list-label = Codecs
setting-user-codec-priority-list-help = Codecs de cette identité par ordre de préférence, séparés par des virgules ; vide pour utiliser la liste commune.
setting-user-moh-label = Musique d'attente
setting-user-moh-help = L'adresse SIP d'un serveur de musique d'attente pour les appels mis en attente ; vide pour le silence.

## Identité : sonnerie

setting-user-auto-connect-label = Répondre automatiquement
setting-user-auto-connect-help = Répondre aussitôt sur le haut-parleur aux appels de cette identité.
setting-user-ringer-label = Mélodie
setting-user-ringer-help = La mélodie des appels vers cette identité.
setting-user-custom-label = Mélodie personnalisée
setting-user-custom-help = L'adresse d'un fichier son joué quand la mélodie est Custom.
setting-user-alert-info-label = Mélodie Alert-Info
setting-user-alert-info-help = L'adresse d'un fichier son joué quand un appel demande une sonnerie particulière.

## Préférences : fonctions d'appel

setting-call-join-xfer-label = Touche de transfert avec un appel en attente
setting-call-join-xfer-help = always : la touche de transfert relie aussitôt l'appel en attente à l'appel en cours. off et on : un premier appui affiche la destination, le second transfère ; on transfère aussi quand vous raccrochez.
setting-xfer-dest-order-lifo-label = Transférer vers le dernier appel en attente
setting-xfer-dest-order-lifo-help = Avec plusieurs appels en attente, un transfert supervisé va vers l'appel mis en attente en dernier (on) ou en premier (off).
setting-transfer-on-hangup-label = Transférer en raccrochant
setting-transfer-on-hangup-help = Raccrocher pendant un transfert l'achève.
setting-call-waiting-label = Double appel
setting-call-waiting-help = Comment un second appel s'annonce pendant un appel : on (tonalité et écran), visual (écran seul), ringer ou off (occupé).
setting-dnd-mode-label = Ne pas déranger
setting-dnd-mode-help = Refuser les appels entrants comme occupé.
setting-mute-is-dnd-in-idle-label = Touche secret pour ne pas déranger
setting-mute-is-dnd-in-idle-help = La touche secret active et désactive ne pas déranger quand il n'y a pas d'appel.
setting-long-cancel-is-blocking-caller-label = Annulation longue bloque l'appelant
setting-long-cancel-is-blocking-caller-help = Maintenir la touche d'annulation sur un appel qui sonne le refuse et bloque l'appelant.
setting-auto-redial-label = Rappel si occupé
setting-auto-redial-help = Rappeler automatiquement un numéro occupé.
setting-auto-redial-value-label = Rappel après
setting-auto-redial-value-help = Secondes d'attente avant de rappeler un numéro occupé.
setting-call-completion-label = Rappel automatique
setting-call-completion-help = Proposer de rappeler un numéro occupé ou sans réponse dès qu'il est libre.
setting-intercom-enabled-label = Interphone
setting-intercom-enabled-help = Répondre automatiquement sur le haut-parleur aux appels d'interphone.
setting-privacy-out-label = Masquer mon numéro
setting-privacy-out-help = Demander au réseau de ne pas montrer votre numéro aux personnes appelées.
setting-privacy-in-label = Refuser les appels anonymes
setting-privacy-in-help = Refuser les appels qui ne montrent pas le numéro de l'appelant.
setting-block-url-dialing-label = Numéros seulement
setting-block-url-dialing-help = N'autoriser que la composition de numéros, pas d'adresses SIP avec des lettres.
setting-emergency-numbers-label = Numéros d'urgence
setting-emergency-numbers-help = Numéros, séparés par des espaces, qui peuvent toujours être composés, même clavier verrouillé.
setting-action-blacklist-url-label = Adresse de la liste de blocage
setting-action-blacklist-url-help = Une adresse web que le téléphone appelle pour ajouter un appelant bloqué à une liste de blocage sur un serveur.
setting-remote-blacklist-action-timer-label = Actualisation de la liste de blocage
setting-remote-blacklist-action-timer-help = Secondes entre deux récupérations de la liste de blocage du serveur ; 0 jamais.

## Préférences : renvoi d'appel

setting-redirect-event-label = Renvoyer les appels
setting-redirect-event-help = Quand renvoyer les appels : jamais, toujours, si occupé, après un délai, ou si occupé et après un délai.
setting-redirect-always-label = Renvoyer tous les appels
setting-redirect-always-help = Renvoyer aussitôt chaque appel vers le numéro de renvoi.
setting-redirect-number-label = Numéro de renvoi
setting-redirect-number-help = Où tous les appels sont renvoyés.
setting-redirect-busy-label = Si occupé, renvoyer vers
setting-redirect-busy-help = Où les appels sont renvoyés pendant que vous êtes en ligne.
setting-redirect-time-label = Renvoyer après
setting-redirect-time-help = Secondes de sonnerie avant le renvoi d'un appel.
setting-redirect-time-number-label = Renvoyer les appels sans réponse vers
setting-redirect-time-number-help = Où les appels sont renvoyés quand vous ne répondez pas à temps.
setting-redirect-ringing-label = Sonner brièvement au renvoi
setting-redirect-ringing-help = Sonner brièvement pour un appel renvoyé, afin que vous le remarquiez.

## Préférences : verrouillage du clavier

setting-keyboard-lock-label = Verrouillage du clavier
setting-keyboard-lock-help = Verrouiller les touches ; seuls les numéros d'urgence peuvent être composés jusqu'à la saisie du code.
setting-keyboard-lock-pw-label = Code de déverrouillage
setting-keyboard-lock-pw-help = Le code qui déverrouille les touches. Il n'est plus jamais affiché.

## Préférences : messages

setting-show-desktop-msg-in-call-screens-label = Afficher les messages texte pendant les appels
setting-show-desktop-msg-in-call-screens-help = Afficher aussi les messages texte reçus sur les écrans d'appel, pas seulement sur l'écran de veille.
setting-mwi-notification-label = Alerte de nouveau message vocal
setting-mwi-notification-help = Comment un nouveau message vocal est signalé : en silence, par un bip ou par un rappel répété.
setting-mwi-dialtone-label = Tonalité avec message vocal
setting-mwi-dialtone-help = La tonalité tant qu'il y a un nouveau message vocal : normale ou saccadée (stutter).

## Préférences : date et heure

setting-timezone-label = Fuseau horaire
setting-timezone-help = Fuseau horaire de l'horloge de l'écran, par ex. UTC ou Europe/Paris.
setting-time-24-format-label = Horloge sur 24 heures
setting-time-24-format-help = Afficher les heures sur 24 heures au lieu de AM/PM.
setting-date-us-format-label = Format de date américain
setting-date-us-format-help = Afficher les dates en mois/jour au lieu de jour.mois.

## Préférences : écran

setting-display-contrast-label = Contraste
setting-display-contrast-help = Contraste de l'écran, de 1 à 15.
setting-backlight-label = Rétroéclairage
setting-backlight-help = Luminosité de l'écran en utilisation, de 0 (éteint) à 15.
setting-backlight-idle-label = Rétroéclairage au repos
setting-backlight-idle-help = Luminosité de l'écran au repos, de 0 (éteint) à 15.
setting-backlight-idle-timeout-label = Atténuer après
setting-backlight-idle-timeout-help = Secondes sans utilisation avant que l'écran passe à la luminosité de repos.
setting-display-method-label = Affichage de l'appelant
setting-display-method-help = Ce que l'écran montre d'un appelant : le contact complet, le nom, le numéro, ou les deux dans un ordre ou l'autre.
setting-custom-bg-image-url-label = Image de fond
setting-custom-bg-image-url-help = L'adresse d'une image pour le fond de l'écran de veille.
setting-encode-display-name-label = Encoder les noms affichés
setting-encode-display-name-help = Envoyer les noms affichés contenant des caractères spéciaux entre guillemets et échappés.

## Préférences : voyants

setting-led-on-new-message-label = Voyant pour nouveaux messages
setting-led-on-new-message-help = Allumer le voyant de message tant qu'il y a un message vocal nouveau ou un message texte non lu.
setting-led-on-missed-call-label = Voyant pour appels manqués
setting-led-on-missed-call-help = Allumer le voyant de message tant qu'il y a des appels manqués.
setting-led-on-dnd-label = Voyant pour ne pas déranger
setting-led-on-dnd-help = Allumer le voyant de la touche ne pas déranger tant qu'il est actif.
setting-blf-led-color-label = Couleur du voyant d'occupation
setting-blf-led-color-help = La couleur d'une touche de supervision pendant que l'utilisateur surveillé est en ligne.

## Touches de fonction

setting-fkey-label = Fonction
setting-fkey-help = Ce que fait cette touche : line, blf sip:utilisateur@hôte (voyant d'occupation et numérotation rapide), presence sip:utilisateur@hôte (disponibilité et numérotation rapide), speed numéro ou dest numéro.
setting-fkey-label-label = Étiquette
setting-fkey-label-help = Le texte affiché à côté de la touche ; vide pour celui du téléphone.
setting-fkey-context-label = Identité
setting-fkey-context-help = Pour quelle identité la touche agit : l'identité active ou une identité fixe.
setting-fkey-longpress-label = Appui long
setting-fkey-longpress-help = Un appui long sur la touche ouvre ses réglages.
setting-dkey-hold-label = Touche de mise en attente
setting-dkey-hold-help = Ce que fait la touche de mise en attente, par ex. keyevent F_R.
setting-dkey-transfer-label = Touche de transfert
setting-dkey-transfer-help = Ce que fait la touche de transfert, par ex. keyevent F_TRANSFER.
setting-dkey-dnd-label = Touche ne pas déranger
setting-dkey-dnd-help = Ce que fait la touche ne pas déranger, par ex. keyevent F_DND.
setting-dkey-redial-label = Touche de rappel
setting-dkey-redial-help = Ce que fait la touche de rappel, par ex. keyevent F_REDIAL.
setting-dkey-conf-label = Touche de conférence
setting-dkey-conf-help = Ce que fait la touche de conférence, par ex. keyevent F_CONFERENCE.
setting-dkey-directory-label = Touche d'annuaire
setting-dkey-directory-help = Ce que fait la touche d'annuaire, par ex. keyevent F_ADR_BOOK.
setting-dkey-menu-label = Touche de menu
setting-dkey-menu-help = Ce que fait la touche de menu, par ex. keyevent F_SETTINGS.
setting-dkey-retrieve-label = Touche de messagerie
setting-dkey-retrieve-help = Ce que fait la touche de messagerie, par ex. keyevent F_RETRIEVE.

## Réseau

setting-dhcp-label = DHCP
setting-dhcp-help = Obtenir l'adresse, le masque, la passerelle et les serveurs DNS d'un serveur DHCP.
setting-ip-adr-label = Adresse IP
setting-ip-adr-help = L'adresse IP du téléphone quand DHCP est désactivé.
setting-netmask-label = Masque de réseau
setting-netmask-help = Le masque de réseau quand DHCP est désactivé, par ex. 255.255.255.0.
setting-gateway-label = Passerelle
setting-gateway-help = L'adresse IP du routeur quand DHCP est désactivé.
setting-dns-server1-label = Serveur DNS
setting-dns-server1-help = L'adresse IP du premier serveur DNS quand DHCP est désactivé.
setting-dns-server2-label = Second serveur DNS
setting-dns-server2-help = L'adresse IP d'un serveur DNS interrogé quand le premier ne répond pas.
setting-dns-domain-label = Domaine DNS
setting-dns-domain-help = Le domaine ajouté aux noms d'hôte sans point.
setting-ethernet-detect-label = Détecter le câble
setting-ethernet-detect-help = Avertir à l'écran quand le câble réseau est débranché.
setting-http-proxy-label = Proxy HTTP
setting-http-proxy-help = Nom d'hôte ou adresse, éventuellement avec :port, d'un proxy pour les requêtes web du téléphone ; vide pour aucun.
setting-vlan-id-label = Identifiant VLAN
setting-vlan-id-help = Le VLAN du téléphone, de 1 à 4094 ; vide pour aucun.
setting-vlan-qos-label = Priorité VLAN
setting-vlan-qos-help = La priorité 802.1p des trames du téléphone, de 0 à 7.
setting-vlan-pc-id-label = Identifiant VLAN du port PC
setting-vlan-pc-id-help = Le VLAN du port ordinateur, de 1 à 4094 ; vide pour aucun.
setting-vlan-pc-priority-label = Priorité VLAN du port PC
setting-vlan-pc-priority-help = La priorité 802.1p des trames du port ordinateur, de 0 à 7.
setting-lldp-enable-label = LLDP
setting-lldp-enable-help = Annoncer le téléphone par LLDP et adopter le VLAN proposé par le commutateur.
setting-ntp-server-label = Serveur de temps
setting-ntp-server-help = Le serveur NTP sur lequel le téléphone règle son horloge.
setting-ntp-refresh-timer-label = Synchronisation de l'heure
setting-ntp-refresh-timer-help = Secondes entre deux interrogations du serveur de temps.
setting-http-server-label = Serveur web (HTTP)
setting-http-server-help = Proposer cette interface web en HTTP non chiffré.
setting-http-port-label = Port HTTP
setting-http-port-help = Le port TCP de l'interface web en HTTP.
setting-https-server-label = Serveur web (HTTPS)
setting-https-server-help = Proposer cette interface web en HTTPS.
setting-https-port-label = Port HTTPS
setting-https-port-help = Le port TCP de l'interface web en HTTPS.
setting-tr69-enable-label = TR-069
setting-tr69-enable-help = Laisser un serveur d'autoconfiguration gérer le téléphone par TR-069 ; désactivé, le port reste fermé.
setting-tr69-acs-url-label = Serveur TR-069
setting-tr69-acs-url-help = L'adresse du serveur d'autoconfiguration.
setting-tr69-user-label = Nom d'utilisateur TR-069
setting-tr69-user-help = Le nom d'utilisateur avec lequel le téléphone se connecte au serveur d'autoconfiguration.
setting-tr69-pass-label = Mot de passe TR-069
setting-tr69-pass-help = Le mot de passe du serveur d'autoconfiguration. Il n'est plus jamais affiché.
setting-tr69-port-label = Port TR-069
setting-tr69-port-help = Le port TCP par lequel le serveur peut demander au téléphone de se connecter.
setting-syslog-server-label = Serveur syslog
setting-syslog-server-help = Nom d'hôte ou adresse, éventuellement avec :port, qui reçoit le journal du téléphone ; vide pour aucun.
setting-log-level-label = Niveau de journalisation
setting-log-level-help = Ce que le téléphone journalise, de 0 (rien) à 9 (tout).
setting-wifi-enable-label = Wi-Fi
setting-wifi-enable-help = Se connecter au réseau par Wi-Fi au lieu du câble.
setting-wifi-ssid-label = Nom du réseau
setting-wifi-ssid-help = Le nom (SSID) du réseau Wi-Fi.
setting-wifi-security-label = Sécurité Wi-Fi
setting-wifi-security-help = Comment le réseau Wi-Fi est protégé.
setting-wifi-psk-label = Mot de passe Wi-Fi
setting-wifi-psk-help = Le mot de passe du réseau Wi-Fi. Il n'est plus jamais affiché.
setting-wifi-dhcp-label = DHCP en Wi-Fi
setting-wifi-dhcp-help = Obtenir l'adresse en Wi-Fi d'un serveur DHCP.

## SIP/RTP

setting-local-sip-port-label = Port SIP local
setting-local-sip-port-help = Le port UDP et TCP sur lequel le téléphone reçoit le SIP.
setting-sip-retry-t1-label = Temporisateur de retransmission T1
setting-sip-retry-t1-help = Millisecondes avant la première retransmission d'une requête en UDP.
setting-sip-retry-t2-label = Temporisateur de retransmission T2
setting-sip-retry-t2-help = Le plus long intervalle en millisecondes entre deux retransmissions en UDP.
setting-retry-after-failed-register-label = Nouvel essai après échec d'enregistrement
setting-retry-after-failed-register-help = Secondes d'attente avant un nouvel essai quand un enregistrement a échoué ou que le registrar n'en a accordé aucun, pour toutes les identités.
setting-sip-failover-response-label = Réponses de basculement
setting-sip-failover-response-help = Réponses SIP après lesquelles un appel essaie l'adresse suivante du serveur, séparées par des virgules : un code, éventuellement avec sa phrase (par ex. 503, 500 Server Internal Error). Vide : basculer seulement quand le serveur ne répond pas ou est injoignable.
setting-sip-failover-response-reg-label = Réponses de basculement de l'enregistrement
setting-sip-failover-response-reg-help = Réponses SIP après lesquelles un enregistrement essaie l'adresse suivante du registrar, séparées par des virgules : un code, éventuellement avec sa phrase (par ex. 503, 480 Temporarily Unavailable).
setting-session-timer-label = Temporisateur de session
setting-session-timer-help = Secondes après lesquelles un appel est rafraîchi pour vérifier qu'il existe encore ; 0 pour aucun.
setting-support-100rel-label = Réponses provisoires fiables
setting-support-100rel-help = Prendre en charge 100rel (PRACK) pour la sonnerie et les médias précoces.
setting-filter-registrar-label = Appels du registrar seulement
setting-filter-registrar-help = N'accepter les appels entrants que du registrar d'une identité.
setting-sip-user-agent-label = User-Agent
setting-sip-user-agent-help = L'en-tête User-Agent envoyé par le téléphone ; vide pour son propre nom et sa version.
setting-keepalive-interval-label = Intervalle de maintien
setting-keepalive-interval-help = Secondes entre les paquets de maintien qui gardent ouvertes les associations NAT ; 0 pour aucun.
setting-stun-server-label = Serveur STUN
setting-stun-server-help = Nom d'hôte ou adresse, éventuellement avec :port, d'un serveur STUN qui indique au téléphone son adresse publique.
setting-stun-interval-label = Intervalle STUN
setting-stun-interval-help = Secondes entre deux requêtes STUN.
setting-rtp-port-start-label = Premier port RTP
setting-rtp-port-start-help = Le port UDP le plus bas pour le son.
setting-rtp-port-end-label = Dernier port RTP
setting-rtp-port-end-help = Le port UDP le plus haut pour le son.
setting-codec-priority-list-label = Codecs
setting-codec-priority-list-help = Codecs par ordre de préférence, séparés par des virgules.
setting-codec-size-label = Taille des paquets
setting-codec-size-help = Millisecondes de son par paquet RTP.
setting-dtmf-payload-type-label = Type de charge DTMF
setting-dtmf-payload-type-help = Le type de charge RTP des événements clavier, de 96 à 127.
setting-rtcp-xr-label = Rapports RTCP étendus
setting-rtcp-xr-help = Envoyer des rapports de qualité d'appel (RTCP XR) pendant les appels.

## QoS/Sécurité

setting-tos-rtp-label = TOS pour le son
setting-tos-rtp-help = L'octet TOS des paquets audio, de 0 à 255 (184 correspond à DSCP EF).
setting-tos-sip-label = TOS pour le SIP
setting-tos-sip-help = L'octet TOS des paquets SIP, de 0 à 255 (160 correspond à DSCP CS5).
setting-http-user-label = Nom de l'administrateur
setting-http-user-help = Le nom d'utilisateur de l'administrateur pour se connecter à cette interface web.
setting-http-pass-label = Mot de passe de l'administrateur
setting-http-pass-help = Le mot de passe de l'administrateur pour cette interface web. Il n'est plus jamais affiché.
setting-http-user-user-label = Nom de connexion de l'utilisateur
setting-http-user-user-help = Le nom d'utilisateur de la connexion utilisateur, qui ne peut modifier que les réglages de l'utilisateur.
setting-http-user-pass-label = Mot de passe de l'utilisateur
setting-http-user-pass-help = Le mot de passe de la connexion utilisateur. Il n'est plus jamais affiché.
setting-http-scheme-label = Méthode de connexion
setting-http-scheme-help = Comment l'interface web demande le mot de passe : authentification basic ou digest.
setting-admin-mode-password-label = Code administrateur
setting-admin-mode-password-help = Le code qui ouvre le menu administrateur du téléphone. Il n'est plus jamais affiché.
setting-host-name-validation-flags-label = Vérification du nom des certificats
setting-host-name-validation-flags-help = Avec quelle rigueur le nom du certificat d'un serveur doit correspondre ; 0 accepte les certificats génériques.
setting-https-validation-ignore-label = Ignorer les erreurs de certificat
setting-https-validation-ignore-help = Accepter les serveurs HTTPS dont le certificat ne peut être vérifié. Dangereux.

## Provisionnement

setting-setting-server-label = Serveur de provisionnement
setting-setting-server-help = L'adresse du fichier de réglages ; {"{"}mac{"}"} et {"{"}model{"}"} sont remplacés par ceux du téléphone.
setting-pnp-config-label = Plug and play
setting-pnp-config-help = Demander au réseau un serveur de provisionnement quand aucun n'est indiqué.
setting-swupd-curl-timeouts-label = Délai de téléchargement
setting-swupd-curl-timeouts-help = Secondes d'attente pour une adresse du serveur avant d'essayer la suivante.
setting-settings-refresh-timer-label = Intervalle d'actualisation
setting-settings-refresh-timer-help = Secondes entre deux récupérations du fichier de réglages ; 0 jamais.
setting-prov-polling-enabled-label = Interrogation
setting-prov-polling-enabled-help = Récupérer régulièrement le fichier de réglages.
setting-prov-polling-mode-label = Mode d'interrogation
setting-prov-polling-mode-help = rel : à chaque période ; abs : une fois par jour à l'heure d'interrogation.
setting-prov-polling-period-label = Période d'interrogation
setting-prov-polling-period-help = Secondes entre deux récupérations en mode rel.
setting-prov-polling-time-label = Heure d'interrogation
setting-prov-polling-time-help = L'heure (HH:MM) de la récupération quotidienne en mode abs.

## Mise à jour

setting-update-policy-label = Politique de mise à jour
setting-update-policy-help = Si le téléphone met à jour son logiciel seul, demande d'abord, ou ne le met jamais à jour.
setting-firmware-status-label = Fichier d'état du micrologiciel
setting-firmware-status-help = L'adresse du fichier qui nomme le logiciel actuel.
setting-firmware-label = Micrologiciel
setting-firmware-help = L'adresse d'une image logicielle à installer.
setting-firmware-interval-label = Intervalle de vérification
setting-firmware-interval-help = Minutes entre deux vérifications du fichier d'état du micrologiciel ; 0 jamais.

## Langue

setting-language-label = Langue
setting-language-help = Langue de l'écran du téléphone.
setting-web-language-label = Langue de l'interface web
setting-web-language-help = Langue de cette interface web.

## Audio

setting-ringer-volume-label = Volume de la sonnerie
setting-ringer-volume-help = Volume de la mélodie, de 0 à 15.
setting-handset-volume-label = Volume du combiné
setting-handset-volume-help = Volume dans le combiné, de 0 à 15.
setting-speaker-volume-label = Volume du haut-parleur
setting-speaker-volume-help = Volume du haut-parleur, de 0 à 15.
setting-headset-volume-label = Volume du casque
setting-headset-volume-help = Volume dans le casque, de 0 à 15.
setting-increased-ringer-volume-label = Sonnerie progressive
setting-increased-ringer-volume-help = Commencer à sonner doucement puis de plus en plus fort.
setting-vol-handset-mic-label = Microphone du combiné
setting-vol-handset-mic-help = Gain du microphone du combiné, de 1 à 8.
setting-vol-headset-mic-label = Microphone du casque
setting-vol-headset-mic-help = Gain du microphone du casque, de 1 à 8.
setting-vol-speaker-mic-label = Microphone mains libres
setting-vol-speaker-mic-help = Gain du microphone en mains libres, de 1 à 8.
setting-tone-scheme-label = Tonalités du pays
setting-tone-scheme-help = Le pays dont le téléphone joue les tonalités de numérotation, de retour d'appel et d'occupation.
setting-cw-dialtone-label = Tonalité de double appel
setting-cw-dialtone-help = Jouer une tonalité quand un second appel arrive pendant un appel.
setting-keytones-label = Bips des touches
setting-keytones-help = Jouer un bref son à chaque appui sur une touche.
setting-ring-sound-label = Mélodie
setting-ring-sound-help = La mélodie des appels qui n'en demandent aucune en particulier.
setting-alert-internal-ring-sound-label = Mélodie des appels internes
setting-alert-internal-ring-sound-help = La mélodie des appels que le serveur marque comme internes.
setting-alert-external-ring-sound-label = Mélodie des appels externes
setting-alert-external-ring-sound-help = La mélodie des appels que le serveur marque comme externes.
setting-alert-group-ring-sound-label = Mélodie des appels de groupe
setting-alert-group-ring-sound-help = La mélodie des appels vers un groupe que le serveur marque comme tels.
setting-headset-device-label = Casque
setting-headset-device-help = Quel casque est branché : aucun, un casque sur la prise casque ou un casque USB.
setting-mc-address-label = Adresse multicast
setting-mc-address-help = Adresse IP et port sur lesquels le téléphone écoute les annonces.
setting-mc-priority-label = Priorité multicast
setting-mc-priority-help = Priorité des annonces sur cette adresse, de 1 (la plus haute) à 10.

## URL d'action

setting-action-setup-url-label = Démarrage terminé
setting-action-setup-url-help = Appelée quand le téléphone a démarré.
setting-action-incoming-url-label = Appel entrant
setting-action-incoming-url-help = Appelée quand un appel arrive.
setting-action-outgoing-url-label = Appel sortant
setting-action-outgoing-url-help = Appelée quand vous passez un appel.
setting-action-offhook-url-label = Décroché
setting-action-offhook-url-help = Appelée quand le combiné est décroché.
setting-action-onhook-url-label = Raccroché
setting-action-onhook-url-help = Appelée quand le combiné est raccroché.
setting-action-connected-url-label = Connecté
setting-action-connected-url-help = Appelée quand un appel est établi.
setting-action-disconnected-url-label = Déconnecté
setting-action-disconnected-url-help = Appelée quand un appel se termine.
setting-action-missed-url-label = Appel manqué
setting-action-missed-url-help = Appelée quand un appel a été manqué.
setting-action-hold-url-label = Mise en attente
setting-action-hold-url-help = Appelée quand un appel est mis en attente.
setting-action-unhold-url-label = Reprise
setting-action-unhold-url-help = Appelée quand un appel en attente est repris.
setting-action-transfer-url-label = Transfert
setting-action-transfer-url-help = Appelée quand un appel est transféré.
setting-action-mute-url-label = Secret
setting-action-mute-url-help = Appelée quand le microphone est coupé.
setting-action-unmute-url-label = Fin du secret
setting-action-unmute-url-help = Appelée quand le microphone est réactivé.
setting-action-dnd-on-url-label = Ne pas déranger activé
setting-action-dnd-on-url-help = Appelée quand ne pas déranger est activé.
setting-action-dnd-off-url-label = Ne pas déranger désactivé
setting-action-dnd-off-url-help = Appelée quand ne pas déranger est désactivé.
setting-action-redirection-on-url-label = Renvoi activé
setting-action-redirection-on-url-help = Appelée quand le renvoi d'appel est activé.
setting-action-redirection-off-url-label = Renvoi désactivé
setting-action-redirection-off-url-help = Appelée quand le renvoi d'appel est désactivé.
setting-action-reg-on-url-label = Enregistré
setting-action-reg-on-url-help = Appelée quand une identité s'est enregistrée.
setting-action-reg-failed-url-label = Échec d'enregistrement
setting-action-reg-failed-url-help = Appelée quand un enregistrement a échoué.
setting-action-log-on-url-label = Connexion
setting-action-log-on-url-help = Appelée quand un utilisateur se connecte au téléphone.
setting-action-log-off-url-label = Déconnexion
setting-action-log-off-url-help = Appelée quand un utilisateur se déconnecte du téléphone.
