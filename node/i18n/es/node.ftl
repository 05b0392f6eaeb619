# Shopfloor node: la interfaz web, español (registro latinoamericano, trato de usted).
# Prefijos: ui- la interfaz, err- un problema, rec- qué hacer al respecto. Los términos (-name)
# no se traducen.

-app = Shopfloor

## Marco

ui-skip-to-content = Ir al contenido
ui-signed-in-as = Sesión iniciada como
ui-nav-account = Mi cuenta
ui-log-out = Cerrar sesión
ui-log-in = Iniciar sesión
ui-language = Idioma
ui-language-choose = Idioma de la interfaz
ui-nav-label = Menú principal
ui-footer-privacy = Los datos de los miembros se quedan en el servidor de este capítulo. Solo sale de aquí el informe mensual con las cifras pequeñas reservadas.
ui-back-to-dashboard = Volver al panel
ui-error-title = Algo salió mal

ui-nav-dashboard = Panel
ui-nav-members = Miembros
ui-nav-workplaces = Centros de trabajo
ui-nav-pods = Grupos
ui-nav-trainings = Capacitaciones
ui-nav-leadership = Liderazgo
ui-nav-reserve = Reserva
ui-nav-campaigns = Campañas
ui-nav-recruitment = Reclutamiento
ui-nav-import = Importar
ui-nav-reports = Informes
ui-nav-guidance = Orientaciones
ui-nav-settings = Configuración
ui-nav-audit = Registro de actividad

ui-role-admin = administrador
ui-role-organizer = organizador
ui-role-pod-lead = responsable de grupo
ui-role-viewer = consulta

## Palabras comunes

ui-yes = Sí
ui-no = No
ui-save = Guardar
ui-saved = Cambios guardados.
ui-cancel = Cancelar
ui-choose = Elija…
ui-unknown = Sin dato
ui-not-assessed = Sin evaluar todavía
ui-none-yet = Todavía no hay nada.
ui-ongoing = en curso
ui-primary = centro de trabajo principal
ui-since = desde
ui-required = (obligatorio)
ui-languages-hint = (códigos o nombres separados por comas: es, en, vietnamita)
ui-notes-hint = (nunca escriba aquí nombres de compañeros de trabajo)
ui-form-has-errors = Por favor, corrija lo siguiente:
ui-pager-label = Páginas
ui-pager-prev = Anterior
ui-pager-next = Siguiente
ui-pager-page = Página

## Inicio y cierre de sesión, cuenta

ui-login-title = Iniciar sesión
ui-login-help = ¿Olvidó su contraseña? Pida a una persona administradora de su capítulo que la restablezca.
ui-field-username = Nombre de usuario
ui-field-password = Contraseña
ui-logged-out = Cerró su sesión.
ui-logout-title = Cerrar sesión
ui-logout-confirm = ¿Desea cerrar la sesión en este dispositivo?
ui-account-title = Mi cuenta
ui-password-title = Cambiar su contraseña
ui-field-current-password = Contraseña actual
ui-field-new-password = Contraseña nueva
ui-field-confirm-password = Contraseña nueva, otra vez
ui-password-hint = (al menos 12 caracteres y difícil de adivinar; unas cuantas palabras al azar funcionan bien)
ui-password-save = Cambiar contraseña
ui-password-changed = Su contraseña fue cambiada.

## Panel

ui-dashboard-title = Panel · { $period }
ui-dashboard-numbers = El capítulo en cifras
ui-stat-members = Miembros (vigentes)
ui-stat-good-standing = Al corriente
ui-stat-workplaces = Centros de trabajo mapeados
ui-stat-majority = Centros con apoyo mayoritario
ui-stat-mentorships = Mentorías activas
ui-stat-reserve = Organizadores en la reserva
ui-stat-pods = Grupos laborales
ui-stat-recruited = Compañeros reclutados este mes
ui-attention = Lo que requiere atención
ui-attention-none = Por ahora no hay nada pendiente.
ui-attn-missing = { $n ->
    [one] Un miembro no aparece en la última lista nacional.
   *[other] { $n } miembros no aparecen en la última lista nacional.
}
ui-attn-lapsed = { $n ->
    [one] Un miembro tiene la membresía vencida: buen momento para llamarle.
   *[other] { $n } miembros tienen la membresía vencida: buen momento para llamarles.
}
ui-attn-no-workplace = { $n ->
    [one] Un miembro vigente no tiene centro de trabajo registrado.
   *[other] { $n } miembros vigentes no tienen centro de trabajo registrado.
}
ui-attn-stalled = { $n ->
    [one] Un centro de trabajo no ha avanzado en la escalera en 90 días.
   *[other] { $n } centros de trabajo no han avanzado en la escalera en 90 días.
}
ui-attn-no-sector = { $n ->
    [one] Un centro de trabajo no tiene sector.
   *[other] { $n } centros de trabajo no tienen sector.
}
ui-attn-report-due = El informe de { $period } todavía no se ha enviado.
ui-attn-not-enrolled = Este nodo todavía no está inscrito con un hub, así que no se pueden enviar informes.
ui-attn-pod-lead-unlinked = { $n ->
    [one] Una cuenta de responsable de grupo no está vinculada a un miembro, así que no ve a nadie.
   *[other] { $n } cuentas de responsable de grupo no están vinculadas a un miembro, así que no ven a nadie.
}
ui-chart-members-by-sector = Miembros por sector
ui-chart-ladder = Centros de trabajo en la escalera de organización
ui-chart-ladder-caption = { $reached } llegaron · { $here } aquí
ui-chart-density = Tasa de sindicalización
ui-chart-density-pct = Tasa de sindicalización: { $pct } de los miembros con situación conocida están en un sindicato
ui-chart-trainings = Capacitaciones completadas
ui-chart-recruitment = Compañeros reclutados, últimos 12 meses
ui-chart-readiness = Miembros según preparación para el liderazgo
ui-chart-reserve-skills = Organizadores de reserva por habilidad
ui-chart-target-actual = Meta y resultado
ui-chart-empty = Todavía no hay datos.
ui-chart-as-table = Ver las cifras en una tabla
ui-density-in-union = En un sindicato
ui-density-organizing = Organizando su centro de trabajo
ui-density-not-in-union = Sin sindicato
ui-density-unknown = Sin dato
ui-col-what = Qué
ui-col-count = Cantidad

## Miembros

ui-members-title = Miembros
ui-members-filters = Buscar y filtrar miembros
ui-members-showing = Mostrando { $first }–{ $last } de { $total }
ui-members-none = Ningún miembro coincide con estos filtros.
ui-member-add = Agregar un miembro
ui-filter-search = Nombre o correo
ui-filter-pod = Grupo
ui-filter-sector = Sector
ui-filter-stage = Etapa de organización
ui-filter-union = Situación sindical
ui-filter-language = Idioma
ui-filter-status = Estado de membresía
ui-filter-list = En la lista nacional
ui-filter-any = Cualquiera
ui-filter-apply = Aplicar filtros
ui-filter-clear = Quitar filtros
ui-list-present = En la última lista
ui-list-missing = Falta en la última lista
ui-list-all = Todos
ui-standing-lapsed = Membresía vencida
ui-col-name = Nombre
ui-col-workplace = Centro de trabajo
ui-col-sector = Sector
ui-col-stage = Etapa
ui-col-union = Situación sindical
ui-col-standing = Membresía
ui-col-language = Idioma

ui-member-edit = Editar sindicato, preparación e idiomas
ui-member-membership = Membresía
ui-member-contact = Contacto
ui-member-workplaces = Centro de trabajo
ui-member-no-workplace = Todavía no hay centro de trabajo registrado.
ui-member-union-section = Sindicato
ui-member-leadership = Liderazgo
ui-member-trainings = Capacitaciones
ui-member-reserve = Reserva de organizadores
ui-member-history = Historial
ui-member-standing = Estado
ui-member-list-status = Lista nacional
ui-member-status-text = Estado según la lista
ui-member-type = Tipo de membresía
ui-member-joined = Se afilió
ui-member-expires = Vence
ui-member-preferred-language = Idioma preferido
ui-member-languages = Idiomas que habla
ui-member-actionkit = ID de ActionKit
ui-member-email = Correo electrónico
ui-member-phone = Teléfono
ui-member-do-not-call = No llamar
ui-member-no-texts = No enviar mensajes de texto
ui-member-city = Ciudad
ui-member-union-role = Situación sindical
ui-member-union = Sindicato
ui-member-union-text = Sindicato y local (tal como está escrito)
ui-member-union-answer = Respuesta en la lista nacional
ui-member-union-manual = Indicado a mano
ui-member-union-reset = Volver a lo que dice la lista nacional
ui-member-readiness = Preparación para el liderazgo
ui-member-pods = Grupos
ui-member-mentorship = Mentoría
ui-member-update = Actualizar este miembro
ui-member-link-workplace = Agregar un centro de trabajo
ui-member-link-save = Agregar centro de trabajo
ui-member-record-training = Registrar una capacitación
ui-member-reserve-form = Reserva de organizadores
ui-member-add-to-pod = Agregar a un grupo
ui-member-pod-lead = Es responsable de este grupo
ui-pod-lead = responsable
ui-mentor-of = Es mentor o mentora de { $name }
ui-mentee-of = Recibe mentoría de { $name }
ui-member-edit-title = Editar: { $name }
ui-member-new-title = Agregar un miembro
ui-member-new-lead = Para alguien que todavía no aparece en la lista nacional. La próxima importación le reconocerá por su correo.
ui-member-person = El miembro
ui-member-workplace-section = Dónde trabaja
ui-member-new-workplace-hint = Elija un centro de trabajo ya mapeado, o escriba el nombre del empleador para agregar uno nuevo.
ui-workplace-none-or-new = Ninguno, o uno nuevo (abajo)
ui-field-first-name = Nombre
ui-field-last-name = Apellidos
ui-field-workplace-existing = Un centro de trabajo ya mapeado
ui-field-employer-new = O un empleador nuevo
ui-field-employer-new-hint = (déjelo vacío si eligió uno arriba)
ui-field-job-title = Puesto o función
ui-field-since = Trabaja ahí desde
ui-field-primary = Es su centro de trabajo principal
ui-field-training = Capacitación
ui-field-completed-on = Completada el
ui-reserve-opt-in = Quiere estar en la reserva de organizadores
ui-reserve-active = En la reserva
ui-reserve-languages = Idiomas
ui-reserve-skills = Habilidades
ui-reserve-availability = Disponibilidad
ui-reserve-not-opted = No se ha sumado a la reserva.

## Centros de trabajo

ui-workplaces-title = Centros de trabajo
ui-workplaces-filters = Buscar y filtrar centros de trabajo
ui-workplaces-none = Ningún centro de trabajo coincide con estos filtros.
ui-workplace-add = Agregar un centro de trabajo
ui-workplace-new-title = Agregar un centro de trabajo
ui-workplace-edit-title = Editar: { $name }
ui-workplace-edit = Editar centro de trabajo
ui-workplace-ladder = Escalera de organización
ui-workplace-current-stage = etapa actual
ui-workplace-stage-passed = etapa superada
ui-workplace-move-to = Pasar a la etapa
ui-workplace-move-note = Qué pasó
ui-workplace-move-note-hint = (opcional; sin nombres de compañeros)
ui-workplace-move = Avanzar en la escalera
ui-workplace-moved = Pasó a { $stage }.
ui-workplace-structure = Estructura
ui-workplace-members-here = Miembros que trabajan aquí
ui-workplace-recruited = Compañeros reclutados aquí
ui-workplace-majority-pct = Simpatizantes: { $pct } de la plantilla
ui-workplace-majority-unknown = Mayoría: indique el tamaño de la plantilla para ver el porcentaje.
ui-workplace-has-majority = Apoyo mayoritario
ui-workplace-counts-only = De los compañeros de trabajo solo se guardan cifras, nunca sus nombres.
ui-workplace-counts-hint = Basta con un cálculo aproximado. Con estas cifras se obtiene el porcentaje de apoyo.
ui-workplace-about = Sobre el centro de trabajo
ui-workplace-members = Miembros que trabajan aquí
ui-workplace-history = Historial en la escalera
ui-workplace-created-at = Mapeado en { $stage }
ui-col-majority = Simpatizantes
ui-col-when = Cuándo
ui-col-change = Cambio
ui-col-who = Quién
ui-col-note = Nota
ui-field-employer = Empleador
ui-field-site = Sede (tienda, campus, edificio…)
ui-field-city = Ciudad
ui-field-state = Estado
ui-field-state-hint = (dos letras, como NC)
ui-field-county = Código FIPS del condado
ui-field-county-hint = (cinco dígitos, opcional)
ui-field-sector = Sector
ui-field-naics = Código NAICS
ui-field-naics-hint = (de 2 a 6 dígitos, opcional)
ui-field-representation = Representación sindical
ui-field-rep-union = Sindicato
ui-field-rep-local = Local
ui-field-workforce = Plantilla (aproximada)
ui-field-committee = Comité organizador (personas)
ui-field-supporters = Simpatizantes conocidos (personas)
ui-field-notes = Notas

## Grupos

ui-pods-title = Grupos laborales
ui-pods-lead = Los grupos reúnen a miembros del mismo sector para que se apoyen en la organización de sus centros de trabajo.
ui-pods-none = Todavía no hay grupos.
ui-pods-leads = Responsables
ui-pods-no-lead = Todavía no tiene responsable.
ui-pods-members = Miembros
ui-pods-member-count = { $n ->
    [one] un miembro
   *[other] { $n } miembros
}
ui-pods-new = Crear un grupo
ui-field-pod-name = Nombre del grupo
ui-pods-create = Crear grupo
ui-pods-add-hint = Para agregar miembros a un grupo, vaya a la página de cada miembro.

## Capacitaciones

ui-trainings-title = Capacitaciones
ui-trainings-catalog = Catálogo de capacitaciones
ui-trainings-none = El catálogo está vacío. Adopte capacitaciones de las orientaciones del hub o agregue las suyas.
ui-trainings-offered = Ofrecidas por el hub
ui-trainings-adopt = Agregar a nuestro catálogo
ui-trainings-add-own = Agregar una capacitación propia
ui-training-from-hub = Del hub
ui-training-ours = De nuestro capítulo
ui-field-training-code = Código
ui-field-training-code-hint = (minúsculas, dígitos y guiones; se incluye en el informe)
ui-field-title-en = Título en inglés
ui-field-title-es = Título en español
ui-col-training = Capacitación
ui-col-code = Código
ui-col-source = Origen
ui-col-completed = Completadas

## Liderazgo

ui-leadership-title = Liderazgo y mentoría
ui-mentorships = Mentorías
ui-mentorship-start = Iniciar una mentoría
ui-mentorship-hint = Aquí solo aparecen miembros con un nivel de preparación para el liderazgo: indíquelo en la página de cada miembro.
ui-mentorship-end = Terminar
ui-field-mentor = Mentor o mentora
ui-field-mentee = Persona que recibe la mentoría
ui-field-started-on = Inició el
ui-col-ended = Terminó

## Reserva

ui-reserve-title = Reserva de organizadores
ui-reserve-lead = Miembros que se ofrecieron para apoyar campañas de otros capítulos. En el informe solo van cifras por idioma y habilidad.
ui-reserve-none = Todavía nadie se ha sumado a la reserva.

## Campañas

ui-campaigns-title = Campañas
ui-campaigns-none = Todavía no hay campañas.
ui-campaign-new = Iniciar una campaña
ui-campaign-create = Crear campaña
ui-campaign-kind = Tipo
ui-campaign-status = Estado
ui-campaign-approval = Aprobación
ui-campaign-public = Compartir con los hubs
ui-campaign-public-badge = compartida
ui-campaign-public-hint = Las campañas compartidas van en el informe con su título y sus indicadores de éxito. Nunca ponga nombres en el título.
ui-campaign-priority = Vinculada a una campaña prioritaria nacional
ui-campaign-labor = Tiene un componente laboral
ui-campaign-metrics = Indicadores de éxito
ui-campaign-metrics-none = Todavía no hay indicadores de éxito.
ui-campaign-progress = { $met } de { $total } cumplidos
ui-campaign-met = cumplido
ui-campaign-about = Sobre la campaña
ui-campaign-workplaces = Centros de trabajo
ui-campaign-add-workplace = Agregar un centro de trabajo
ui-campaign-criteria = Criterios de aprobación del hub
ui-campaign-criteria-none = El hub todavía no ha publicado criterios de aprobación.
ui-campaign-set-metric = Definir un indicador de éxito
ui-campaign-metric-hint = (por ejemplo, uno de los indicadores del hub)
ui-campaign-edit = Editar la campaña
ui-campaign-target-of = { $name }: meta
ui-campaign-actual-of = { $name }: resultado
ui-approval-draft = Borrador
ui-approval-submitted = Enviada
ui-approval-approved = Aprobada
ui-approval-rejected = No aprobada
ui-col-title = Título
ui-col-metric = Indicador
ui-col-target = Meta
ui-col-actual = Resultado

## Reclutamiento

ui-recruitment-title = Reclutamiento
ui-recruitment-lead = Compañeros de trabajo que se afiliaron a la organización, contados por centro de trabajo y fecha. Nunca sus nombres.
ui-recruitment-record = Registrar nuevas afiliaciones de un centro de trabajo
ui-recruitment-count = Cuántas personas se afiliaron
ui-recruitment-recent = Registros recientes
ui-col-date = Fecha
ui-col-period = Mes

## Importar

ui-import-title = Importar la lista nacional
ui-import-upload = Subir una lista
ui-import-lead = Suba la lista de membresía de la organización nacional (CSV). Verá qué cambiaría antes de que se guarde nada.
ui-import-file = Archivo de la lista
ui-import-file-hint = (CSV, hasta 10 MB)
ui-import-format = Tipo de lista
ui-import-format-national = Lista de membresía nacional (completa)
ui-import-format-generic = Otra hoja de cálculo de miembros (parcial)
ui-import-check = Revisar la lista
ui-import-privacy = El archivo se revisa en memoria y no se guarda en el servidor.
ui-import-dry-run = Lo que haría esta importación
ui-import-dry-run-lead = Todavía no se ha guardado nada. Si estas cifras le parecen correctas, confirme.
ui-import-confirm = Confirmar la importación
ui-import-done = La lista fue importada.
ui-import-see-members = Ver los miembros
ui-import-rows-read = Filas leídas
ui-import-created = Miembros nuevos
ui-import-updated = Miembros actualizados
ui-import-unchanged = Sin cambios
ui-import-returned = De vuelta en la lista
ui-import-marked-missing = Marcados como ausentes de la lista
ui-import-newly-lapsed = Con membresía recién vencida
ui-import-more-problems = { $n ->
    [one] …y 1 problema más, que no aparece aquí.
   *[other] …y { $n } problemas más, que no aparecen aquí.
}
ui-import-many-missing = Atención: esta lista marcaría como ausentes a { $n } de los { $total } miembros de la lista. Eso suele indicar que el archivo no es la lista nacional completa.
ui-import-confirm-missing = Sí, es la lista nacional completa: marcar a { $n } miembros como ausentes.
ui-col-line = Línea
ui-col-column = Columna
ui-col-problem = Problema

## Informes

ui-reports-title = Informe · { $period }
ui-report-period = Periodo
ui-report-preview = Ver informe
ui-report-what-leaves = Exactamente lo que sale del capítulo
ui-report-what-leaves-lead = Estas son todas las cifras que el informe envía al hub, celda por celda. No salen del capítulo nombres, correos, empleadores ni ningún otro dato de los miembros.
ui-report-k-note = Las cifras menores que { $k } se reservan para que nadie pueda ser identificado; también se reservan algunas otras para que las reservadas no se puedan deducir.
ui-report-fewer-than = menos de { $k }
ui-report-withheld-protect = reservada para proteger otra celda (puede ser grande)
ui-report-total = Total
ui-report-breakdown = Desglose
ui-report-value = Valor
ui-report-recipient = Destinatario
ui-report-revision = Versión
ui-report-k = Cifra mínima publicada (k)
ui-report-published = Cifras publicadas
ui-report-withheld = Cifras reservadas
ui-report-submit = Enviar este informe al hub
ui-report-not-enrolled = Podrá enviar informes cuando este nodo esté inscrito con un hub.
ui-report-public-campaigns = Campañas compartidas
ui-report-no-public-campaigns = No se comparte ninguna campaña.
ui-report-payload = El informe exacto, tal como se firmará
ui-report-history = Informes enviados
ui-report-digest = Huella
ui-report-receipt = registrado en la posición { $index }
ui-report-receipt-col = Acuse del hub
ui-report-no-receipt = sin acuse todavía
ui-report-outbox = Bandeja de salida
ui-report-outbox-empty = La bandeja de salida está vacía.
ui-report-attempts = Intentos
ui-report-as-of = Cifras al
ui-report-basis-closed = Estas cifras son del { $when }, cuando cerró { $period }. Si vuelve a enviar el informe, se envían las mismas cifras, aunque desde entonces se hayan unido o retirado miembros.
ui-report-basis-closing = { $period } ya terminó. Al enviar este informe, las cifras de hoy ({ $when }) quedan registradas como el cierre del mes; todos los informes posteriores de { $period } mostrarán esas mismas cifras.
ui-report-basis-to-date = { $period } todavía no termina: estas cifras son hasta la fecha, al { $when }. Envíe el informe cuando termine el mes para mandar las cifras finales.
ui-report-basis-correction = Este nodo no registró las cifras cuando terminó { $period }, así que su informe solo se puede enviar como corrección: las cifras son las de hoy ({ $when }), no las del mes como estaba, y el hub verá el informe marcado como corrección.
ui-report-submit-correction = Enviar como corrección
ui-outbox-pending = En espera de entrega
ui-outbox-delivered = Entregado
ui-outbox-failed = Rechazado por el hub

## Orientaciones

ui-guidance-title = Orientaciones de los hubs
ui-guidance-none = Todavía no se han recibido orientaciones. Llegan cuando el nodo está inscrito con un hub.
ui-guidance-none-enrolled = Este nodo está inscrito con { $name }, que todavía no ha publicado orientaciones. El nodo las solicita una vez al día; aparecerán aquí en cuanto el hub las publique.
ui-guidance-about = Sobre estas orientaciones
ui-guidance-issuer = Emitidas por
ui-guidance-issued = Fecha de emisión
ui-guidance-fetched = Recibidas
ui-guidance-goals = Metas
ui-guidance-scope = Para
ui-guidance-by = Fecha límite
ui-guidance-links = Materiales
ui-guidance-from-hub = De { $name }, su hub
ui-guidance-from-parent = De { $name }, transmitidas por su hub
ui-guidance-parent-unverified = Su hub transmite orientaciones del hub nacional, pero este nodo no pudo verificar su firma (no tiene fijada la tarjeta raíz nacional), así que no se muestran. Inscríbase de nuevo con la tarjeta raíz nacional para verlas.
ui-goal-part-intro = La parte de este capítulo cuenta sus propios registros como los hubs cuentan la meta; la proporción es esa parte como porcentaje de la meta completa.
ui-goal-how = Cómo se cuenta
ui-goal-part = Este capítulo
ui-goal-share-col = Proporción de la meta
ui-goal-share = { $pct }
ui-goal-stock = Como está ahora
ui-goal-per-period = Suma de cada mes, de { $first } a { $last }
ui-goal-to-date = Aumento de { $first } a { $last }
ui-goal-out-of-scope = Fuera del área de esta meta

## Configuración

ui-settings-title = Configuración
ui-settings-users = Usuarios y roles
ui-settings-add-user = Agregar un usuario
ui-field-role = Rol
ui-settings-linked-member = Número de miembro
ui-settings-linked-member-hint = (solo para responsables de grupo: el número en la dirección de su página de miembro)
ui-settings-password-hint = (déjelo vacío para generar una)
ui-settings-password-once = Contraseña nueva: entréguela ahora a la persona, no se volverá a mostrar
ui-settings-disabled = desactivado
ui-settings-active = activo
ui-settings-disable = Desactivar
ui-settings-enable = Activar
ui-col-state = Estado
ui-settings-hub = Inscripción con el hub
ui-settings-node-id = Este nodo
ui-settings-node-fingerprint = Huella de este nodo
ui-settings-k = Cifra mínima publicada (k)
ui-settings-hub-id = Hub
ui-settings-hub-name = Nombre del hub
ui-settings-hub-fingerprint = Huella del hub
ui-settings-enrolled-at = Inscrito el
ui-settings-hub-k = k que pide el hub
ui-settings-not-enrolled = Este nodo todavía no está inscrito con un hub. Pida a su hub un código de invitación.
ui-settings-hub-url = Dirección del hub
ui-settings-invite-code = Código de invitación
ui-settings-enroll = Solicitar la inscripción
ui-settings-enroll-started = Inscripción solicitada
ui-settings-enroll-compare = Lea ambas huellas a las personas administradoras del hub por teléfono o en persona; solo deben aprobar si coinciden con las suyas.
ui-settings-backups = Copias de seguridad
ui-settings-backups-lead = Las copias de seguridad están cifradas. Guárdelas fuera de este servidor. Para poder restaurar si se pierde el servidor, hágalas desde la línea de comandos con la clave de cada responsable:
ui-settings-backup-now = Hacer una copia ahora
ui-settings-backup-size = { $kb } KB
ui-settings-facts = Datos del capítulo
ui-facts-labor-committee = El capítulo tiene un comité o grupo de trabajo laboral
ui-facts-clc-delegate = El capítulo tiene una persona delegada en su Consejo Laboral Central
ui-facts-bylaws = Los estatutos del capítulo contemplan el trabajo laboral

## Registro de actividad

ui-audit-title = Registro de actividad
ui-audit-lead = Quién hizo qué y cuándo. Las entradas nunca se modifican ni se borran.
ui-col-subject = Sobre
ui-col-detail = Detalles
ui-action-member-create = Agregó un miembro
ui-action-member-edit = Editó un miembro
ui-action-member-workplace = Vinculó un centro de trabajo
ui-action-member-training = Registró una capacitación
ui-action-member-reserve = Actualizó la reserva
ui-action-member-view = Consultó un miembro
ui-action-members-list = Consultó la lista de miembros
ui-action-workplace-create = Agregó un centro de trabajo
ui-action-workplace-edit = Editó un centro de trabajo
ui-action-workplace-stage = Movió un centro de trabajo en la escalera
ui-action-import = Importó una lista
ui-action-login = Inició sesión
ui-action-logout = Cerró sesión
ui-action-password = Cambió una contraseña
ui-action-report-submit = Envió un informe
ui-action-pod-create = Creó un grupo
ui-action-pod-member = Modificó un grupo
ui-action-mentorship-start = Inició una mentoría
ui-action-mentorship-end = Terminó una mentoría
ui-action-campaign-create = Inició una campaña
ui-action-campaign-edit = Editó una campaña
ui-action-recruitment = Registró reclutamiento
ui-action-training-add = Agregó una capacitación
ui-action-user-add = Modificó un usuario
ui-action-user-disable = Desactivó o activó un usuario
ui-action-user-unlock = Desbloqueó el inicio de sesión de un usuario
ui-action-login-lock = Inicio de sesión bloqueado tras intentos fallidos
ui-action-facts = Cambió los datos del capítulo
ui-action-backup = Hizo una copia de seguridad
ui-action-export-members = Exportó la lista de miembros
ui-action-enroll = Solicitó la inscripción con un hub

## Problemas y qué hacer

err-unauthenticated = Necesita iniciar sesión para ver esta página.
err-login-failed = El nombre de usuario o la contraseña no son correctos.
err-forbidden = Su rol no le da acceso a esto.
err-csrf = El formulario venció o no vino de este sitio.
err-not-found = Esta página no existe o usted no tiene acceso a ella.
err-bad-request = No se pudo entender la solicitud.
err-invalid = Uno de los valores no es válido.
err-conflict = Esto choca con algo que ya está guardado.
err-exists = Ese nombre ya está en uso.
err-too-large = El archivo es demasiado grande.
err-import-refused = La lista no se importó.
err-import-problems = { $n ->
    [one] La lista tiene un problema; no se guardó nada.
   *[other] La lista tiene { $n } problemas; no se guardó nada.
}
err-import-expired = Esa revisión ya venció. Por favor, vuelva a subir la lista.
err-import-map-target = { $target } no es un campo que la lista pueda llenar.
err-import-unreadable-header = No se pudo leer la primera línea, la de los nombres de las columnas. Guarde el archivo como CSV y vuelva a intentarlo.
err-import-empty-file = El archivo está vacío.
err-import-unknown-column = No reconocemos esta columna. Póngale el nombre de un campo de miembro o bórrela del archivo.
err-import-duplicate-column = La columna "{ $column }" ya llena el campo { $field }.
err-import-missing-column = Falta la columna obligatoria { $field }.
err-import-no-id-column = La lista necesita una columna actionkit_id o email.
err-import-unreadable-csv = Esta línea no se pudo leer como CSV. Revise las comillas.
err-import-column-count = { $found ->
    [one] Esta línea tiene 1 campo
   *[other] Esta línea tiene { $found } campos
}, pero el encabezado tiene { $expected ->
    [one] 1 columna.
   *[other] { $expected } columnas.
}
err-import-not-utf8 = Este valor no está en UTF-8 válido. Guarde el archivo como UTF-8 y vuelva a subirlo.
err-import-not-boolean = "{ $value }" no es sí o no (use true/false, yes/no o 1/0).
err-import-not-a-date = "{ $value }" no es una fecha. Escríbala como AAAA-MM-DD o M/D/AAAA.
err-import-two-digit-year = "{ $value }": escriba el año con cuatro cifras.
err-import-not-a-real-date = "{ $value }" no es una fecha que exista.
err-import-year-out-of-range = "{ $value }": el año está fuera de rango.
err-import-not-a-language = "{ $value }" no es el nombre de un idioma ni un código ISO 639 (como es).
err-import-no-id-or-email = La fila no tiene actionkit_id ni correo electrónico.
err-import-duplicate-actionkit-id = El actionkit_id { $id } ya aparece en la línea { $line }.
err-import-utf16 = El archivo está en UTF-16 o es binario, no es texto UTF-8. En su hoja de cálculo, guárdelo como "CSV UTF-8" y vuelva a subirlo.
err-import-no-rows = La lista tiene los nombres de las columnas, pero ningún miembro. No se cambió nada; verifique que eligió el archivo correcto.
err-import-unconfirmed = Esta lista marcaría como ausentes a { $n } de los { $total } miembros de la lista, y eso no se confirmó. No se cambió nada. Si es la lista nacional completa, vuelva a subirla y marque la casilla de confirmación.
err-text-too-long = Este valor es demasiado largo: puede tener como máximo { $max } caracteres.
err-text-control-character = Este valor contiene un carácter de control (como NUL, o un salto de línea donde solo se permite una línea). Elimínelo.
err-rate-limited = Demasiados intentos fallidos. Espere unos minutos y vuelva a intentarlo.
err-internal = El servidor tuvo un problema.
err-password-current = Su contraseña actual no es correcta.
err-password-mismatch = Las dos contraseñas nuevas no coinciden.

err-field-name = Escriba un nombre o un apellido.
err-field-employer = Escriba el nombre del empleador.
err-field-county-fips = El código del condado tiene cinco dígitos y debe corresponder al estado del centro de trabajo.
err-field-state = Escriba el estado con dos letras, como NC.
err-field-sector = Elija un sector de la lista.
err-field-naics-code = Un código NAICS tiene de 2 a 6 dígitos.
err-field-representation = Elija la representación sindical de la lista.
err-field-counts = Las cifras son números enteros, de cero en adelante.
err-field-stage = Elija una etapa del 0 al 5.
err-field-since = Elija una fecha en el campo de fecha.
err-field-date = Elija una fecha en el campo de fecha.
err-field-started-on = Elija la fecha de inicio en el campo de fecha.
err-field-ended-on = La fecha de término debe ser posterior a la de inicio.
err-field-mentee = Elija dos personas distintas para una mentoría.
err-field-title = Escriba un título de 1 a 200 caracteres.
err-field-kind = Elija un tipo de campaña.
err-field-status = Elija un estado de campaña.
err-field-approval = Elija un estado de aprobación.
err-field-metric = Un indicador necesita un nombre y números enteros para la meta y el resultado.
err-field-code = Use de 1 a 40 minúsculas, dígitos o guiones, o elija de la lista.
err-field-languages = No se reconoce uno de los idiomas. Use códigos como es o nombres como español.
err-field-preferred-language = Elija un idioma de la lista.
err-field-readiness = Elija un nivel de preparación de la lista.
err-field-union-role = Elija una situación sindical de la lista.
err-field-union-code = Elija un sindicato de la lista.
err-field-skills = Elija habilidades de la lista.
err-field-count = Escriba cuántas, al menos 1.
err-field-username = Un nombre de usuario tiene de 1 a 64 letras, dígitos o . _ - @
err-field-role = Elija un rol de la lista.
err-field-password = La contraseña debe tener al menos 12 caracteres y como máximo 1,024 bytes.
err-field-password-strength = Esta contraseña es demasiado fácil de adivinar. Use unas cuantas palabras al azar, o deje el campo vacío para recibir una generada donde se ofrezca.
err-field-email = Escriba un correo electrónico válido o déjelo vacío.
err-field-workplace = Elija un centro de trabajo o escriba el nombre de un empleador nuevo.
err-field-member = Ese número de miembro no existe.
err-field-period = Elija un mes.
err-field-file = Elija un archivo CSV para subir.
err-field-enroll = No se pudo conectar con el hub, o el hub no aceptó el código de invitación.
err-field-pod = Elija un grupo.
err-field-submit = No se pudo enviar el informe. Revise la inscripción con el hub en Configuración.
err-report-closed = { $period } cerró sin cifras registradas, así que su informe solo se puede enviar como corrección.

rec-log-in = Inicie sesión y vuelva a intentarlo.
rec-ask-admin = Si lo necesita, pídalo a una persona administradora de su capítulo.
rec-reload = Regrese, recargue la página y vuelva a intentarlo.
rec-go-back = Regrese y revise lo que escribió.
rec-smaller-file = Divida el archivo o quite las columnas que no hagan falta.
rec-fix-file = Corrija estas líneas en el archivo y vuelva a subirlo.
rec-wait = Espere unos minutos antes de volver a intentarlo.
rec-try-later = Vuelva a intentarlo en un momento. Si sigue pasando, avise a la persona administradora de su capítulo.

ui-support-title = Ayuda entre capítulos
ui-support-intro = Pidan organizadores con una habilidad o un idioma. Su hub pasa la solicitud a los capítulos cuyos informes muestran organizadores así en su reserva, y ellos les responden directamente en el contacto que ustedes indiquen. El hub nunca sabe quién se ofrece.
ui-support-for-you = Solicitudes para su capítulo
ui-support-none = Por ahora no hay solicitudes para su capítulo.
ui-support-unreachable = No se pudo contactar al hub, así que por ahora no se pueden mostrar las solicitudes para su capítulo.
ui-support-reply = Respondan a
ui-support-yours = { $n ->
    [0] No tienen solicitudes abiertas.
    [one] Tienen una solicitud abierta.
   *[other] Tienen { $n } solicitudes abiertas.
}
ui-support-ask = Pedir ayuda a otros capítulos
ui-support-skill = Habilidad que se necesita
ui-support-language = Idioma
ui-support-sector = Sector de la campaña
ui-support-any = Cualquiera
ui-support-message = Qué necesitan, en pocas frases (nunca den nombres de personas)
ui-support-reply-to = Cómo pueden contactarlos otros capítulos (por ejemplo, un grupo de Signal)
ui-support-send = Enviar la solicitud
ui-support-sent = { $n ->
    [0] La solicitud se envió, pero todavía ningún capítulo tiene una reserva que coincida.
    [one] La solicitud se envió a un capítulo con organizadores que coinciden.
   *[other] La solicitud se envió a { $n } capítulos con organizadores que coinciden.
}
err-support = No se pudo enviar la solicitud. Elijan una habilidad o un idioma, escriban qué necesitan y un contacto, y verifiquen que se pueda contactar al hub.

## support requests as work
ui-support-urgency = Urgencia
ui-support-urgency-low = Urgencia baja
ui-support-urgency-normal = Urgencia normal
ui-support-urgency-urgent = Urgente
ui-support-status-open = Abierta
ui-support-status-met = Atendida
ui-support-status-unmet = No atendida
ui-support-own = Sus solicitudes
ui-support-relayed = { $n ->
    [0] todavía no se ha reenviado
    [one] reenviada a un lugar
   *[other] reenviada a { $n } lugares
}
ui-support-mark-met = Marcar como atendida
ui-support-mark-unmet = Marcar como no atendida
ui-support-closed-met = La solicitud quedó marcada como atendida; cada hub que la tiene la mostrará cerrada.
ui-support-closed-unmet = La solicitud quedó marcada como no atendida; cada hub que la tiene la mostrará cerrada.
err-support-status = No se pudo marcar la solicitud. Vuelva a cargar la página y compruebe que se puede llegar al hub.

## campaigns (aprobación de campañas)
ui-campaign-hub-approval = Aprobación del hub
ui-campaign-no-decision = El hub todavía no ha decidido sobre esta campaña.
ui-decision-approved = Aprobada por el hub
ui-decision-returned = Devuelta por el hub
ui-campaign-decision-older = (sobre una solicitud anterior)
ui-campaign-sent = Lo que se envió
ui-campaign-criterion = Criterio
ui-campaign-sector = Sector del empleador
ui-campaign-summary = Resumen
ui-campaign-summary-hint = (unas pocas oraciones; nunca nombres de personas)
ui-campaign-submit = Enviar para aprobación
ui-campaign-submit-help = El hub recibe el tipo de campaña, el componente laboral, los indicadores de éxito con sus metas, el sector y este resumen; nunca el título, los centros de trabajo ni los miembros. Solo la decisión firmada del hub aprueba una campaña.
ui-campaign-submit-unavailable = Para enviar esta campaña para aprobación, el nodo debe estar inscrito en un hub que haya publicado criterios de aprobación.
err-field-campaign-submission = No se pudo enviar la campaña para aprobación. Elija un criterio y un sector, escriba un resumen, dé a la campaña al menos un indicador de éxito y verifique que se pueda contactar al hub.
ui-action-campaign-submit = Envió una campaña para aprobación

## phone: the menu on phones; confirming a jump on the ladder; majority only from the numbers
ui-nav-menu = Menú
ui-stage-confirm-title = Confirme el cambio en la escalera
ui-stage-confirm-lead = { $name } pasaría de "{ $first }" a "{ $last }" en un solo paso, saltando las etapas intermedias. Confirme que eso es lo que ocurrió.
ui-stage-confirm-majority = La etapa 3 y las siguientes significan un comité con apoyo mayoritario, pero las cifras de este centro de trabajo no muestran una mayoría (plantilla: { $total }; simpatizantes: { $n }). No contará como centro con apoyo mayoritario hasta que las muestren: actualícelas con "Editar centro de trabajo".
ui-stage-confirm-yes = Sí, cambiarlo
ui-workplace-majority-unshown = Este centro de trabajo está en la etapa 3 o una posterior, pero sus cifras no muestran una mayoría, así que no cuenta como centro con apoyo mayoritario. Indique la plantilla y los simpatizantes con "Editar centro de trabajo".
ui-attn-majority-unshown = { $n ->
    [one] Un centro de trabajo está en la etapa 3 o una posterior sin cifras que muestren una mayoría; no se cuenta como centro con apoyo mayoritario.
   *[other] { $n } centros de trabajo están en la etapa 3 o una posterior sin cifras que muestren una mayoría; no se cuentan como centros con apoyo mayoritario.
}

## Outbox delivery

ui-outbox-detail = Detalles
ui-outbox-queued-detail = En la bandeja de salida desde el { $first }; intentos hasta ahora: { $n }; próximo intento: { $last }.
ui-outbox-last-try-failed = El último intento no se completó: { $value }
ui-outbox-delivered-detail = Entregado el { $when }. Se verificó el acuse de { $name }: el informe está en la posición { $index } de su bitácora.
ui-outbox-delivered-no-receipt = Entregado el { $when }, pero este nodo no guarda acuse del informe.
ui-outbox-failed-detail = Rechazado el { $when }: { $value } No se volverá a enviar.
ui-outbox-why-unreachable = no se pudo contactar al hub (puede estar fuera de servicio o este nodo puede estar sin conexión).
ui-outbox-why-busy = el hub estaba ocupado y pidió intentarlo más tarde.
ui-outbox-why-hub-error = el hub tuvo un problema propio al recibir el informe.
ui-outbox-why-bad-receipt = el acuse del hub no se pudo verificar, así que el informe se enviará de nuevo; se generó una alarma.
ui-outbox-why-revoked = el hub revocó la inscripción de este nodo.
ui-outbox-why-stale-revision = el hub ya tiene una versión más reciente del informe de este periodo.
ui-outbox-why-broken-chain = el informe no sigue al último informe que el hub aceptó de este nodo.
ui-outbox-why-wrong-recipient = el informe iba dirigido a otro hub.
ui-outbox-why-wrong-period = el hub no acepta un informe de este periodo.
ui-outbox-why-disclosure-violation = el hub encontró en el informe una cifra que podría identificar a una persona.
ui-outbox-why-unknown-signer = el hub no reconoce la clave de este nodo; inscriba el nodo de nuevo.
ui-outbox-why-other = el hub rechazó el informe; un administrador puede ver el motivo con “shopfloor-node outbox list”.
ui-report-state-queued = El informe de { $period } (versión { $n }) está en espera en la bandeja de salida. { $value }
ui-report-state-delivered = El informe de { $period } (versión { $n }) llegó al hub. { $value }
ui-report-state-failed = El hub rechazó el informe de { $period } (versión { $n }): { $value }

## Manual members

ui-list-by-hand = Todavía no está en la lista nacional (agregado a mano; la próxima importación lo vinculará por correo electrónico)
ui-field-member-city = Ciudad donde vive
ui-field-workplace-city = Ciudad del centro de trabajo

## self-report

ui-sr-form-title = ¿Dónde trabaja usted?
ui-sr-hello = Hola, { $name }.
ui-sr-why = Su capítulo quiere saber dónde trabajan sus miembros, para que quienes comparten centro de trabajo o industria puedan encontrarse y organizarse. Toma dos minutos. Responda solo lo que desee; puede dejar vacía cualquier pregunta.
ui-sr-who-sees = Solo los organizadores de este capítulo ven sus respuestas. Nada sobre usted sale del servidor de este capítulo: el capítulo envía solo cifras, nunca nombres ni respuestas.
ui-sr-check = Revise sus respuestas, elija su condado y su industria, y envíelas.
ui-sr-where = Su centro de trabajo
ui-sr-site = Nombre de la sede
ui-sr-site-hint = (tienda, campus, edificio…)
ui-sr-county = Condado
ui-sr-pick = Elija…
ui-sr-industry-legend = Su trabajo
ui-sr-industry = ¿Qué hace usted, o qué tipo de lugar es?
ui-sr-industry-hint = (unas palabras, por ejemplo “enfermera”, “almacén”, “escuela”)
ui-sr-industry-found = Estas industrias coinciden con sus palabras; elija una:
ui-sr-industry-other = O elija otra industria
ui-sr-industry-pick = Elija una industria
ui-sr-job-title = Puesto
ui-sr-union-status = Sindicato en su empleo
ui-sr-union-name = Nombre del sindicato
ui-sr-union-local = Local (número o nombre)
ui-sr-interest = Interés en organizarse en su centro de trabajo
ui-sr-interest-none = Por ahora no
ui-sr-interest-curious = Me interesa saber más
ui-sr-interest-ready = Listo para participar
ui-sr-languages = Idiomas que habla
ui-sr-consent = Un organizador de este capítulo puede contactarme sobre la organización en mi centro de trabajo.
ui-sr-consent-short = Acepta que lo contacten
ui-sr-next = Continuar
ui-sr-send = Enviar mis respuestas
ui-sr-done-title = Gracias
ui-sr-done-text = Recibimos sus respuestas. Un organizador de su capítulo las revisará antes de registrar nada. Este enlace ya no se puede usar.
ui-sr-closed-title = Este enlace no se puede usar
ui-sr-closed-text = Este enlace no se puede usar. Puede haber vencido, ya haberse usado o haberse copiado incompleto.
ui-sr-closed-fix = Si desea responder, pida un enlace nuevo al organizador que se lo envió.
ui-sr-admin-title = Dónde trabajan los miembros
ui-sr-admin-lead = Cree un enlace personal para cada miembro y envíelo con la herramienta de correo o de mensajes del capítulo: el nodo no envía nada. El enlace abre un formulario breve (sin iniciar sesión) que muestra solo el nombre de pila del miembro; funciona una sola vez y vence. Las respuestas esperan la revisión de un organizador.
ui-sr-progress = Avance
ui-sr-mapped = Miembros actuales con centro de trabajo registrado
ui-sr-mapped-value = { $pct } ({ $n } de { $total })
ui-sr-sent = Enlaces creados
ui-sr-opened = Enlaces abiertos
ui-sr-answered = Enlaces respondidos
ui-sr-accepted = Respuestas aceptadas
ui-sr-review-link = { $n ->
    [one] Una respuesta espera revisión
   *[other] { $n } respuestas esperan revisión
}
ui-sr-make = Crear enlaces
ui-sr-make-help = La descarga es un archivo CSV con id de miembro, correo electrónico, nombre de pila y enlace, para una combinación de correspondencia. Guárdelo en privado: cada enlace permite a quien lo tenga responder una vez por ese miembro.
ui-sr-who = Para quién
ui-sr-who-unmapped = Miembros actuales sin centro de trabajo registrado
ui-sr-who-all = Todos los miembros actuales
ui-sr-who-pod = Los miembros de un grupo
ui-sr-pod = Grupo
ui-sr-days = Días de vigencia de los enlaces
ui-sr-download = Crear enlaces y descargar el CSV
ui-sr-unmapped = { $n ->
    [one] Un miembro actual no tiene centro de trabajo registrado
   *[other] { $n } miembros actuales no tienen centro de trabajo registrado
}
ui-sr-unmapped-none = Todos los miembros actuales tienen centro de trabajo registrado.
ui-sr-review-title = Respuestas por revisar
ui-sr-review-lead = Las respuestas de los miembros no cambian nada hasta que un organizador las acepta. Al aceptar, el miembro queda vinculado al centro de trabajo que usted elija (o a uno nuevo), se completan el sector, el condado y el estado desconocidos del centro de trabajo, y se registran la situación sindical y los idiomas del miembro.
ui-sr-review-empty = No hay respuestas por revisar.
ui-sr-review-where = Registrar en
ui-sr-link-existing = El centro de trabajo existente { $name } ({ $value })
ui-sr-create-workplace = Un centro de trabajo nuevo con estas respuestas
ui-sr-accept = Aceptar
ui-sr-discard = Descartar
ui-sr-dashboard = Dónde trabajan los miembros
ui-sr-dashboard-link = Crear enlaces de autorregistro y ver quién falta
ui-action-selfreport-links = Creó enlaces de autorregistro
ui-action-selfreport-accept = Aceptó una respuesta de autorregistro
ui-action-selfreport-discard = Descartó una respuesta de autorregistro
ui-sr-who-filter = { $n ->
    [one] El miembro que coincide con el filtro de la página Miembros
   *[other] Los { $n } miembros que coinciden con el filtro de la página Miembros
}
ui-sr-from-members = Enlaces de autorregistro para estos miembros

## National list words (membership type and status as the list writes them)
ui-list-type-monthly = Mensual
ui-list-type-yearly = Anual
ui-list-type-annual = Anual
ui-list-type-one-time = Pago único
ui-list-type-income-based = Según ingresos
ui-list-type-lifetime = Vitalicia
ui-list-status-good-standing = Miembro al corriente
ui-list-status-member = Miembro
ui-list-status-lapsed = Membresía vencida

## Import column mapping (issue 19, item 8)
ui-import-map-title = Asigne las columnas que no reconocemos
ui-import-map-lead = Para cada columna, elija el dato del miembro que contiene, o ignórela (entonces no se importa). La lista se revisa de nuevo con lo que elija; no se guarda nada hasta que usted confirme.
ui-import-map-column = Columna
ui-import-map-choose = Elija un dato…
ui-import-map-apply = Revisar la lista con estas opciones
err-import-unknown-column-map = No reconocemos esta columna. Elija abajo el dato del miembro que contiene, o ignórela.
ui-import-missing-large = Atención: esta lista marca como ausentes a { $n } de los { $total } miembros de la lista. Compruebe que es la lista nacional completa y actual antes de confirmar.
ui-import-missing-large-done = Se marcó como ausentes a { $n } de los { $total } miembros de la lista. Si no era la lista nacional completa, importe la lista completa: los miembros que aparezcan en ella vuelven a la lista.
ui-import-field-actionkit-id = ID de ActionKit
ui-import-field-first-name = Nombre
ui-import-field-middle-name = Segundo nombre
ui-import-field-last-name = Apellido
ui-import-field-email = Correo electrónico
ui-import-field-mobile-phone = Teléfono celular
ui-import-field-home-phone = Teléfono de casa
ui-import-field-work-phone = Teléfono del trabajo
ui-import-field-best-phone = Mejor teléfono
ui-import-field-do-not-call = No llamar (sí/no)
ui-import-field-p2ptext-optout = Sin mensajes de texto (sí/no)
ui-import-field-join-date = Fecha de ingreso
ui-import-field-xdate = Fecha de vencimiento de la membresía
ui-import-field-membership-status = Estado de la membresía
ui-import-field-membership-type = Tipo de membresía
ui-import-field-monthly-dues-status = Estado de la cuota mensual
ui-import-field-yearly-dues-status = Estado de la cuota anual
ui-import-field-union-member = Miembro de un sindicato (sí/no)
ui-import-field-union-name = Nombre del sindicato
ui-import-field-union-local = Local del sindicato
ui-import-field-city = Ciudad
ui-import-field-state = Estado
ui-import-field-zip = Código postal
ui-import-field-preferred-language = Idioma preferido
ui-import-field-ignore = Ignorar esta columna (no importarla)
ui-import-field-employer = Empleador (va a las respuestas por revisar)
ui-import-field-work-city = Ciudad del trabajo (va a las respuestas por revisar)
ui-import-field-work-county = Condado del trabajo, código FIPS de 5 dígitos (va a las respuestas por revisar)
ui-import-field-work-state = Estado del trabajo (va a las respuestas por revisar)
ui-import-field-industry = Industria (va a las respuestas por revisar)
ui-import-field-job-title = Puesto (va a las respuestas por revisar)

## Cifras reservadas cifradas
ui-report-encrypted-note = Las cifras reservadas también viajan cifradas con la clave conjunta de la federación (huella { $id }). Ningún servidor puede leerlas por sí solo: solo se pueden descifrar sumas de varios capítulos, y solo con varios custodios de la clave juntos.

## Numbers and dates (locale)
ui-report-recipient-unenrolled = Ningún hub todavía: este nodo no está inscrito

## Periods as months, outbox attempts (issue 19)
ui-outbox-what = { $period } · versión { $n }
ui-outbox-attempts = Intentos de entrega
ui-outbox-attempts-count = { $n ->
    [0] Aún no se ha intentado
    [one] { $n } intento
   *[other] { $n } intentos
}
ui-guidance-none-enrolled-since = Este nodo está inscrito con { $name } desde el { $when }, y { $name } todavía no ha publicado orientaciones. El nodo las solicita una vez al día; aparecerán aquí en cuanto el hub las publique.

## Guidance: when the node last asked
ui-guidance-none-enrolled-checked = Este nodo está inscrito con { $name } desde el { $when }. Pidió orientaciones a { $name } por última vez el { $checked }, y todavía no se había publicado nada. El nodo las solicita una vez al día; aparecerán aquí en cuanto el hub las publique.
