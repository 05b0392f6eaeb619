# Shopfloor hub: la interfaz web, en español.
# Ids: hub- para la interfaz, err- para un problema, rec- para la solución sugerida.

-brand = Shopfloor

## Marco

hub-brand = Hub de { -brand }
hub-skip = Ir al contenido
hub-language = Idioma:
hub-role-admin = administración
hub-role-viewer = consulta
hub-logout = Cerrar sesión
hub-nav-label = Menú principal
hub-nav-overview = Resumen
hub-nav-dashboards = Tableros
hub-nav-map = Mapa
hub-nav-trends = Tendencias
hub-nav-tables = Tablas
hub-nav-formations = Formaciones laborales
hub-nav-verification = Verificación
hub-nav-enrollments = Solicitudes de inscripción
hub-nav-children = Capítulos y regiones
hub-nav-completeness = Entregas
hub-footer = { -brand } solo guarda cifras agregadas: aquí nunca aparece el nombre de ningún miembro.
hub-back-overview = Volver al resumen
hub-error-title = Algo salió mal

## Inicio de sesión

hub-login-title = Iniciar sesión
hub-login-name = Nombre de usuario
hub-login-password = Contraseña
hub-login-submit = Entrar
hub-login-hint = Pida una cuenta a quien administra este hub. Las sesiones duran doce horas.

## Resumen

hub-overview-title = Resumen
hub-overview-this-hub = Este hub
hub-overview-level = Nivel
hub-level-national = Hub nacional
hub-level-regional = Hub regional
hub-fingerprint = Huella digital
hub-overview-parent = Hub superior
hub-parent-enrolled = Inscrito en { $url }
hub-parent-pending = Esperando aprobación en { $url }
hub-parent-none = Todavía no está inscrito en un hub superior
hub-overview-children = Miembros de la red
hub-status-active = Activos
hub-status-revoked = Revocados
hub-overview-pending = Esperando aprobación
hub-overview-latest = Último periodo
hub-period = Periodo
hub-overview-reporting = Entregas
hub-overview-reported = { $reported } de { $expected } informes esperados recibidos
hub-overview-members = Miembros
hub-overview-workplaces = Centros de trabajo mapeados
hub-overview-see-dashboards = Ver los tableros
hub-overview-see-map = Ver el mapa
hub-overview-log = Registro de transparencia
hub-log-size = Entradas
hub-log-root = Hash raíz
hub-log-time = Firmado el
hub-overview-see-verification = Ver la verificación
hub-no-reports = Todavía no se ha recibido ningún informe.
hub-viewer-rule = Solo verá una cifra cuando al menos { $chapters } capítulos contribuyen a ella y ningún capítulo aporta el { $share } o más. Las demás cifras, y toda cifra de la que se pudiera deducir una de ellas, dicen «no se muestra para proteger las cifras de los capítulos».
hub-not-published = Las cifras de este periodo aún no se han publicado. Cada hub publica un periodo una sola vez: cuando todos los capítulos y hubs regionales han enviado su informe o al vencer el plazo.
hub-not-published-short = aún no publicado
hub-publication-shown = Cifras publicadas: publicación { $sequence } de este periodo, { $date }. No cambian hasta la próxima publicación.
hub-publication-live = Cifras en vivo (solo administradores): los usuarios de consulta ven únicamente las publicaciones del periodo, nunca estas sumas en vivo.
hub-publication-rule = Un informe que llega o se corrige después de una publicación se incluye en una nueva publicación solo si con ello no se puede identificar a un capítulo; de lo contrario, queda retenido y no se muestra para este periodo.

## Tableros

hub-dashboards-title = Tableros
hub-show = Mostrar
hub-trail-label = Dónde está
hub-trail-top = { $hub } (en conjunto)
hub-chapter-view = Este es el informe de un solo capítulo; solo lo ve quien administra.
hub-chart-totals = { $metric }, periodo por periodo
hub-chart-ladder = La escalera de organización: centros de trabajo por etapa
hub-chart-density = Densidad sindical: miembros según su situación sindical
hub-chart-goals = Metas y avances
hub-chart-empty = No hay cifras para esta gráfica en este periodo.
hub-chart-desc-bars = { $count ->
    [one] Una barra, con su cifra escrita al lado.
   *[other] { $count } barras, cada una con su cifra escrita al lado.
}
hub-chart-desc-funnel = { $count ->
    [one] Un embudo de una etapa, con su cifra.
   *[other] Un embudo de { $count } etapas, de la primera a la última, cada una con su cifra.
}
hub-chart-desc-periods = { $count ->
    [one] Un periodo, con su total.
   *[other] { $count } periodos, del más antiguo al más reciente, cada uno con su total.
}
hub-chart-desc-goals = Cada meta es una barra con contorno, rellena hasta donde va el avance, con las cifras escritas debajo.
hub-goals-none = No se han publicado metas en las orientaciones.
hub-goal-progress = { $value } de { $target } ({ $percent }) para el { $date }
hub-goal-by = fecha meta: { $date }
hub-goal-own = Fijada por este hub
hub-goal-from = Fijada por { $name }, transmitida
hub-goal-stock = al { $period }
hub-goal-per-period = suma de cada mes, de { $from } a { $until }
hub-goal-to-date = aumento de { $from } a { $until }
hub-goal-state-sum = capítulos en { $state }
hub-goal-elsewhere = fuera del área de este hub
hub-goal-unpublished = no se publica para consulta (suma capítulos individuales)
hub-col-goal-series = Mes a mes
hub-show-table = Ver como tabla
hub-col-category = Categoría
hub-col-value = Cifra
hub-col-goal = Meta
hub-col-progress = Avance
hub-drill-title = Ver más de cerca
hub-col-name = Nombre
hub-col-kind = Tipo
hub-col-chapters = Capítulos
hub-kind-chapter = Capítulo
hub-kind-regional = Hub regional
hub-kind-national = Hub nacional
hub-at-least = al menos { $count }
hub-training-unnamed = «{ $code }» (capacitación propia de un capítulo)
hub-suppressed = reservada por el capítulo
hub-withheld = no se muestra para proteger las cifras de los capítulos

## Mapa

hub-map-title = Mapa de estados
## Tablas: cada indicador, cada tabla (/ui/tables), y el CSV
hub-tables-title = Tablas
hub-tables-intro = Todas las tablas de un indicador en este nivel: su total mes a mes, cada desglose y cada capítulo o región por debajo. Descargue cualquiera como hoja de cálculo.
hub-tables-total = total
hub-tables-now = Total de { $period }: { $total }
hub-tables-change-month = { $change } desde el mes pasado
hub-tables-change-year = { $change } desde enero
hub-tables-breakdowns = Desgloses
hub-tables-grid-note = Una celda en blanco significa que nadie reportó nada: cero.
hub-tables-drill = Por debajo de este nivel
hub-tables-downloads = Descargar (CSV, se abre en cualquier hoja de cálculo)
hub-tables-csv-this = Este indicador, este mes
hub-tables-csv-all-metrics = Todos los indicadores, este mes
hub-tables-csv-all-periods = Este indicador, todos los meses
hub-csv-period = Mes
hub-csv-level = Nivel
hub-csv-metric = Indicador
hub-csv-metric-code = Código del indicador
hub-csv-dim1 = Desglose 1
hub-csv-value1-code = Código 1
hub-csv-value1 = Categoría 1
hub-csv-dim2 = Desglose 2
hub-csv-value2-code = Código 2
hub-csv-value2 = Categoría 2
hub-csv-count = Cifra
hub-csv-status = Se muestra como
hub-csv-status-exact = exacta
hub-csv-status-at-least = al menos (algunos capítulos reservaron su cifra)
hub-csv-status-suppressed = reservada por el capítulo
hub-csv-status-withheld = no se muestra para proteger las cifras de los capítulos
## Tendencias (/ui/trends)
hub-trends-title = Tendencias
hub-trends-intro = El total de cada indicador, mes a mes, en este nivel. Abra uno para ver todas sus tablas.
hub-trends-mark-corrected = * Un capítulo rehízo su informe de este mes después del cierre del mes: algunas de sus cifras son de una fecha posterior.
hub-trends-mark-late = † Al menos un informe de este mes llegó después de la fecha límite.
hub-trends-open = Todas las tablas
## Formaciones laborales (/ui/formations)
hub-formations-title = Formaciones laborales
hub-formations-intro = Una formación laboral en cada capítulo local: qué capítulos tienen un comité laboral, un delegado ante su Consejo Laboral Central y estatutos que contemplan el trabajo laboral, según el informe más reciente de cada capítulo.
hub-formations-count-committee = { $count } de { $total } { $total ->
    [one] capítulo tiene
   *[other] capítulos tienen
} un comité laboral
hub-formations-count-delegate = { $count } de { $total } { $total ->
    [one] capítulo tiene
   *[other] capítulos tienen
} un delegado ante el Consejo Laboral Central
hub-formations-count-bylaws = { $count } de { $total } { $total ->
    [one] capítulo tiene
   *[other] capítulos tienen
} estatutos que contemplan el trabajo laboral
hub-formations-count-all = { $count } de { $total } { $total ->
    [one] capítulo tiene
   *[other] capítulos tienen
} las tres cosas
hub-formations-count-withheld = No se muestra: { $total } capítulos informaron aquí este mes, menos de 3.
hub-formations-viewer = Solo cifras, sobre los capítulos que informaron este mes; no se lista ningún capítulo.
hub-formations-caption = Capítulos, primero los que informaron este mes
hub-formations-col-within = Región
hub-formations-col-committee = Comité laboral
hub-formations-col-delegate = Delegado ante el CLC
hub-formations-col-bylaws = Estatutos
hub-formations-col-last = Último informe
hub-formations-col-status = Este mes
hub-formations-yes = Sí
hub-formations-no = No
hub-formations-unknown = Sin dato
hub-formations-missing = Sin informe
hub-metric = Indicador
hub-map-heading = { $metric } por estado, { $period }
hub-map-desc = Un mapa de los Estados Unidos; cada estado tiene un tono según su cifra, rayas cuando la cifra no se muestra y puntos cuando no hay datos. La tabla debajo del mapa da todas las cifras.
hub-map-legend = Leyenda
hub-map-class = Tono { $class }: de { $low } a { $high }
hub-map-legend-withheld = Rayas: no se muestra para proteger las cifras de los capítulos
hub-map-legend-suppressed = Rayas: reservada por el capítulo (una cifra pequeña, o una que revelaría otra)
hub-map-no-data = Puntos: sin datos
hub-map-none = sin datos
hub-map-unplaced = Cada miembro figura en el estado de su centro de trabajo. No figuran en el mapa: { $value } sin estado (sin centro de trabajo registrado, o con su estado desconocido). Con ellos, los estados suman el total del resumen.
hub-map-table = El mapa en forma de tabla
hub-col-state = Estado
hub-col-class = Tono

## Inscripción

hub-enrollments-title = Solicitudes de inscripción
hub-enrollments-help = Antes de aprobar, lean en voz alta las dos huellas digitales con la persona que envió la solicitud, por teléfono o en persona. Apruebe solo si las dos coinciden con lo que ve.
hub-enrollments-none = No hay solicitudes pendientes.
hub-enroll-invite = Invitado como
hub-enroll-their-fingerprint = Su huella digital
hub-enroll-our-fingerprint = Huella digital de este hub
hub-enroll-requested = Solicitado
hub-approve = Aprobar
hub-reject = Rechazar
hub-notice-approved = Aprobada: el certificado está firmado y listo para que lo recojan.
hub-notice-rejected = Rechazada.

## Capítulos y regiones

hub-children-title = Capítulos y regiones
hub-children-none = Todavía no se ha inscrito nadie.
hub-serial = Número de serie del certificado
hub-enrolled-at = Inscrito
hub-revoke-reason = Motivo de la revocación
hub-revoke = Revocar
hub-revoke-confirm-title = ¿Revocar un capítulo o una región?
hub-revoke-confirm = ¿Revocar { $name }? A partir de ahora este hub rechaza todo lo que firme, y su certificado pasa a la lista publicada de claves revocadas. No se puede deshacer: para volver tendrá que inscribirse de nuevo con claves nuevas.
hub-revoke-confirm-button = Sí, revocar { $name }
hub-revoke-cancel = No, volver a la lista
hub-notice-revoked = Revocado: se publicó la nueva lista de revocaciones firmada.

## Entregas

hub-completeness-title = Entrega de informes
hub-completeness-help = Quién entregó su informe, periodo por periodo. Un informe llega a tiempo si se recibió antes de la fecha límite.
hub-completeness-caption = Entregas por periodo
hub-completeness-periods = Periodos
hub-forward-none = Aún no se envió al hub superior: no se ha elaborado el consolidado de este periodo.
hub-forward-done = Enviado: el hub superior acusó recibo de la revisión { $revision } el { $when }.
hub-forward-failed = No se entregó: { $count ->
    [one] un intento fallido
   *[other] { $count } intentos fallidos
}; el último, el { $when }: { $reason }
hub-forward-waiting = La revisión { $revision } está elaborada y espera su envío al hub superior.
hub-forward-now = Enviar ahora al hub superior
hub-completeness-summary = { $expected } esperados, { $reported } recibidos ({ $ontime } a tiempo, { $late } con retraso), { $missing } sin entregar
hub-deadline = fecha límite
hub-on-time = A tiempo
hub-late = Con retraso
hub-missing = Sin entregar
hub-not-expected = No se esperaba

## Verificación

hub-verification-title = Verificación
hub-checkpoint = Punto de control del registro
hub-checkpoint-help = Cada informe y consolidado aceptado es una entrada del registro de solo anexado de este hub. Los capítulos guardan sus recibos y pueden comprobar que los puntos de control posteriores todavía los contienen.
hub-rollups-built = Consolidados generados por este hub
hub-rollups-none = Todavía no se ha generado ningún consolidado.
hub-received = Documentos recibidos
hub-col-revision = Versión
hub-col-status = Verificación
hub-col-when = Cuándo
hub-col-digest = Resumen criptográfico
hub-col-from = De
hub-col-log-index = Entrada del registro
hub-doc-report = Informe
hub-doc-rollup = Consolidado
hub-verified-on-receipt = Verificado al recibirse
hub-built-here = Insumos verificados; elaborado y firmado por este hub
hub-not-verified = No se puede verificar
hub-superseded = reemplazado por una versión más reciente
hub-forwarded-at = enviado el { $time }

## Problemas y soluciones

err-login = El nombre de usuario o la contraseña no son correctos.
rec-login = Revise los dos y vuelva a intentarlo. Después de cinco intentos fallidos tendrá que esperar unos minutos.
err-too-many-attempts = Demasiados intentos fallidos.
rec-too-many-attempts = Espere unos minutos y vuelva a intentarlo.
err-password-weak = Esta contraseña es demasiado fácil de adivinar.
rec-password-weak = Use unas cuantas palabras al azar, o no defina la variable de la contraseña para recibir una contraseña generada.
err-password-length = La contraseña debe tener al menos 12 caracteres y como máximo 1,024 bytes.
rec-password-length = Elija una contraseña de ese largo.
err-csrf = Este formulario caducó o no viene de este hub.
rec-csrf = Regrese, vuelva a cargar la página y envíe el formulario otra vez.
err-form = No se pudo leer el formulario.
rec-form = Vuelva a cargar la página e inténtelo de nuevo.
err-admin-only = Esta página es solo para quien administra.
rec-admin-only = Si la necesita, pídasela a quien administra este hub.
err-internal = El hub no pudo mostrar esta página.
rec-internal = Inténtelo de nuevo en un momento; si sigue fallando, quien opera el hub puede ver la causa en su registro.
err-not-found = Esa página no existe.
rec-not-found = Use el menú para encontrar lo que busca.
err-bad-period = Eso no es un periodo.
rec-bad-period = Elija un periodo de la lista (año y mes, como 2026-05).
err-bad-metric = Ese indicador no se puede dibujar en el mapa.
rec-bad-metric = Elija un indicador de la lista.
err-viewer-drilldown = Los capítulos individuales solo los ve quien administra.
rec-viewer-drilldown = Consulte las regiones y el conjunto.
err-no-such-node = No hay nada en ese lugar para este periodo.
rec-no-such-node = Vuelva al inicio y elija de nuevo.
err-not-published = Las cifras de este periodo aún no se han publicado.
rec-not-published = Elija un periodo ya publicado o vuelva después de la fecha límite de ese periodo.
err-no-such-request = Esa solicitud de inscripción no existe.
rec-no-such-request = Vuelva a cargar la lista de solicitudes.
err-not-pending = Ya se decidió sobre esta solicitud.
rec-not-pending = Vuelva a cargar la lista de solicitudes.
err-revoke-reason = Hace falta un motivo (hasta 200 caracteres).
rec-revoke-reason = Escriba por qué se revoca el certificado; el motivo se publica en la lista de revocaciones.
err-no-such-child = Ese capítulo o región no existe.
rec-no-such-child = Vuelva a cargar la lista.
err-already-revoked = Ya estaba revocado.
rec-already-revoked = Vuelva a cargar la lista.
err-no-parent = Este hub no tiene un hub superior al que enviar.
rec-no-parent = Solo un hub regional inscrito en el hub nacional envía sus consolidados.

# A period whose reports include one rebuilt after the month closed (a labelled correction).
hub-corrections-intro = * Los periodos marcados con un asterisco incluyen informes que un capítulo volvió a generar después del cierre del mes, con cifras tomadas más tarde. Sus totales no corresponden todos al cierre del mes.
hub-corrections-note = { $period }: { $count ->
    [one] un informe corregido
   *[other] { $count } informes corregidos
} ({ $names })
hub-correction-one = { $name }, cifras al { $date }

## support requests
hub-nav-support = Solicitudes de apoyo
hub-support-title = Solicitudes de apoyo
hub-support-help = Los capítulos piden organizadores con habilidades, un idioma o experiencia en un sector. Reenvíe una solicitud hacia abajo, a los capítulos o regiones cuyos últimos informes muestran reserva que coincide, o hacia arriba, al hub nacional. Esos capítulos responden directamente al capítulo que pide: este hub nunca sabe quién se ofrece.
hub-support-show-open = Abiertas
hub-support-show-closed = Cerradas
hub-support-none = No hay solicitudes de apoyo aquí.
hub-support-origin = Procedencia
hub-support-origin-own = Un capítulo de este hub
hub-support-origin-child = Reenviada hacia arriba por { $name }
hub-support-origin-parent = Reenviada hacia abajo por el hub nacional
hub-support-skills = Habilidades
hub-support-language = Idioma
hub-support-sector = Sector
hub-support-created = Fecha de la solicitud
hub-support-message = Solicitud
hub-support-relayed = Reenviada
hub-support-relayed-count = { $count ->
    [one] a un lugar
   *[other] a { $count } lugares
}
hub-support-urgency-low = Urgencia baja
hub-support-urgency-normal = Urgencia normal
hub-support-urgency-urgent = Urgente
hub-support-status-open = Abierta
hub-support-status-met = Atendida
hub-support-status-unmet = No atendida
hub-support-dir-auto = Automáticamente a
hub-support-dir-down = Hacia abajo a
hub-support-dir-up = Hacia arriba a
hub-support-relay-down = Reenviar a los capítulos y regiones que coinciden
hub-support-relay-up = Reenviar al hub nacional
hub-support-notice-down = { $count ->
    [0] Ningún otro capítulo o región muestra reserva que coincida.
    [one] Reenviada a un capítulo o región más.
   *[other] Reenviada a { $count } capítulos o regiones más.
}
hub-support-notice-up = Reenviada al hub nacional.
err-no-such-support-request = No existe esa solicitud de apoyo.
rec-no-such-support-request = Vuelva a cargar la lista de solicitudes de apoyo.
err-support-not-relayable = Esta solicitud no se puede reenviar de esa manera.
rec-support-not-relayable = Una solicitud cerrada no se reenvía, una solicitud del hub nacional no se devuelve hacia arriba y solo un hub regional aprobado por el nacional reenvía hacia arriba. Vuelva a cargar la lista.
err-support-parent = El hub nacional no aceptó la solicitud.
rec-support-parent = Inténtelo de nuevo en unos minutos; si sigue fallando, revise la inscripción de este hub en el nacional.
## guidance editor
hub-nav-guidance = Orientaciones
hub-guidance-title = Orientaciones
hub-guidance-help = Las orientaciones que este hub publica para los capítulos y regiones que tiene debajo: capacitaciones, criterios de aprobación de campañas con sus indicadores de éxito, metas y enlaces, en inglés y en español. Los capítulos verifican su firma antes de mostrarlas.
hub-guidance-current = Publicadas ahora
hub-guidance-nothing = Este hub aún no ha publicado orientaciones.
hub-guidance-by-own = Publicadas por { $name } (este hub) el { $when }
hub-guidance-by-parent = Publicadas por { $name } el { $when }, transmitidas sin cambios por este hub
hub-guidance-preview-by = Borrador de { $name }, sin publicar
hub-guidance-trainings = Capacitaciones
hub-guidance-criteria = Criterios de aprobación de campañas
hub-guidance-goals = Metas
hub-guidance-links = Enlaces
hub-guidance-none = Ninguno.
hub-guidance-goal = { $name }: { $value } para el { $when }
hub-guidance-goal-from = { $name }: { $value } desde { $period } hasta el { $when }
hub-guidance-metric-line = { $name }: { $value }
hub-guidance-editor = Editar y publicar
hub-guidance-editor-help = El formulario parte de las orientaciones publicadas ahora. Las filas vacías se omiten. «Vista previa» lo revisa todo y lo muestra como lo verán los capítulos; nada se publica hasta que usted pulse «Publicar», que lo firma con la clave de este hub.
hub-guidance-preview = Vista previa: lo que verán los capítulos
hub-guidance-preview-help = Revisado como se revisaría al publicar. Aún no se ha firmado ni publicado nada.
hub-guidance-preview-relays = Los capítulos verán también las orientaciones del hub superior que aparecen arriba, transmitidas sin cambios.
hub-guidance-do-preview = Vista previa
hub-guidance-do-publish = Publicar
hub-guidance-published = Las orientaciones se firmaron y publicaron. Los capítulos las recibirán en su próxima consulta.
hub-guidance-problems = { $n ->
    [one] Un campo necesita corrección; está marcado abajo. No se publicó nada.
   *[other] { $n } campos necesitan corrección; están marcados abajo. No se publicó nada.
}
hub-guidance-refused = El hub rechazó estas orientaciones. Revise cada fila e inténtelo de nuevo; no se publicó nada.
hub-guidance-parent-unreachable = No se pudieron obtener las orientaciones del hub superior, y un hub regional las transmite al publicar. No se publicó nada; inténtelo de nuevo cuando el hub superior esté disponible.
hub-guidance-code = Código
hub-guidance-title-en = Título (inglés)
hub-guidance-title-es = Título (español)
hub-guidance-url-en = Material en inglés (dirección web)
hub-guidance-url-es = Material en español (dirección web)
hub-guidance-name-en = Nombre (inglés)
hub-guidance-name-es = Nombre (español)
hub-guidance-metrics = Indicadores de éxito
hub-guidance-target = Meta
hub-guidance-metric = Indicador
hub-guidance-sector = Sector
hub-guidance-region = Región o estado
hub-guidance-by = Fecha para alcanzarla
hub-guidance-from = Contar desde (mes, opcional)
hub-guidance-goals-help = Un sector solo para un indicador que se publica por sector. Compañeros reclutados suma cada mes desde el primer mes (o el mes de publicación) hasta la fecha; capacitaciones completadas cuenta cuánto creció; los demás indicadores cuentan según el último mes.
hub-guidance-choose-metric = Elija un indicador
hub-guidance-any-sector = Todos los sectores
hub-guidance-whole-area = Toda el área de este hub
hub-guidance-add-training = Agregar una fila de capacitación
hub-guidance-add-criterion = Agregar una fila de criterio
hub-guidance-add-metric = Agregar una fila de indicador
hub-guidance-add-goal = Agregar una fila de meta
hub-guidance-add-link = Agregar una fila de enlace
hub-guidance-bad-code = Use de 1 a 40 letras minúsculas, dígitos o guiones (como one-on-ones).
hub-guidance-bad-text = Este campo es obligatorio: hasta { $max } caracteres.
hub-guidance-bad-url = Escriba una dirección web que empiece con https:// (o http://), sin espacios, de hasta 500 caracteres.
hub-guidance-bad-number = Escriba un número entero (0 o más), sin comas.
hub-guidance-bad-date = Elija una fecha en el campo de fecha.
hub-guidance-bad-period = Elija un mes en el campo de mes, o déjelo vacío.
hub-guidance-bad-choice = Elija una opción de la lista.
hub-guidance-bad-sector = { $name } no se publica por sector, así que una meta sobre este indicador no puede indicar un sector. Elija «Todos los sectores» u otro indicador.
hub-guidance-bad-region = Este hub no puede medir una meta allí: elija un estado, este hub o uno de sus hubs regionales.
hub-guidance-bad-window = El conteo debe empezar a más tardar en la fecha y abarcar como máximo 120 meses.
## campaigns (aprobación de campañas)
hub-nav-campaigns = Aprobación de campañas
hub-campaigns-title = Aprobación de campañas
hub-campaigns-help = Los capítulos presentan campañas conforme a los criterios que publicó este hub. Apruebe una campaña o devuélvala con un comentario; el hub firma la decisión y el capítulo la ve en la página de la campaña.
hub-campaigns-pending = En espera de decisión
hub-campaigns-none = Ninguna campaña espera una decisión.
hub-campaigns-history = Decisiones
hub-campaigns-no-history = Aún no hay decisiones.
hub-campaigns-versions = Versiones de los criterios
hub-campaigns-no-versions = Este hub no ha publicado orientaciones, así que no hay criterios conforme a los cuales presentar campañas.
hub-campaign-kind = Tipo de campaña
hub-campaign-sector = Sector del empleador
hub-campaign-labor = Componente laboral
hub-campaign-received = Recibida
hub-campaign-summary = Resumen
hub-campaign-criterion = Criterio
hub-campaign-metric = Indicador de éxito
hub-campaign-target = Meta
hub-campaign-submitted-metrics = Los indicadores del capítulo
hub-campaign-comment = Comentario para el capítulo
hub-campaign-approve = Aprobar
hub-campaign-return = Devolver
hub-campaign-chapter = Capítulo
hub-campaign-id = Solicitud
hub-campaign-outcome = Decisión
hub-campaign-decided = Decidida
hub-campaign-version = Versión
hub-campaign-issued = Publicada
hub-campaign-criteria = Criterios
hub-campaign-approved = Aprobada
hub-campaign-returned = Devuelta
hub-campaign-yes = Sí
hub-campaign-no = No
hub-campaign-notice-approved = Aprobada: la decisión firmada espera a que el capítulo la recoja.
hub-campaign-notice-returned = Devuelta: el capítulo verá su comentario.
err-campaign-outcome = Esta página no ofrece esa decisión.
rec-campaign-outcome = Use el botón Aprobar o Devolver.
err-campaign-comment = Para devolver una campaña hace falta un comentario (hasta 2,000 caracteres).
rec-campaign-comment = Escriba qué debe cambiar el capítulo y vuelva a devolverla.
err-no-such-submission = Esa solicitud no existe.
rec-no-such-submission = Vuelva a cargar la lista de campañas.
err-campaign-not-pending = Ya se decidió sobre esta solicitud, o el capítulo envió una más reciente.
rec-campaign-not-pending = Vuelva a cargar la lista de campañas.
## county map
hub-county-title = Mapa de condados
hub-county-heading = { $metric } por condado, { $period }
hub-county-desc = Un mapa de los condados de los estados indicados arriba; cada condado tiene un tono según su número de miembros, rayas cuando la cifra no se muestra y puntos cuando no hay datos. La tabla junto al mapa da todas las cifras y su tono en palabras.
hub-county-pick = Estados
hub-county-pick-south = El Sur (región del Censo)
hub-county-pick-data = Todos los estados con cifras por condado
hub-county-states = { $count ->
    [one] Un estado: { $names }
   *[other] { $count } estados: { $names }
}
hub-county-no-states = Ningún estado tiene cifras por condado en este nivel para este periodo.
hub-county-class = de { $low } a { $high }
hub-county-class-top = { $low } o más
hub-county-unmapped = Condado { $id } (no está en el mapa)
hub-county-unknown = Miembros cuyo condado se desconoce: { $value }
hub-county-table = Los condados en forma de tabla
hub-county-col = Condado
hub-county-to-states = Ver el mapa de estados
hub-map-to-counties = Ver los miembros por condado
err-bad-states = Esos estados no se pueden dibujar.
rec-bad-states = Elija los estados de la lista, o escriba sus códigos postales de dos letras separados por comas.
hub-county-attribution = Mapa: us-atlas (licencia ISC), de Mike Bostock, a partir de los límites de la Oficina del Censo de los EE. UU.

## Support requests by name (issue 19)
hub-support-unknown-party = Un capítulo o hub fuera de la red de este hub
