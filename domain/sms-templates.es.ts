import { MAX_SEGMENTS, segmentsOf, withinTwoSegments } from './reply-check';
import { listedWithinSegments, type TemplateContext } from './sms-templates';

const link = (c: TemplateContext) => (c.link ? ` ${c.link}` : '');
const deAmount = (c: TemplateContext) => (c.amount ? ` de ${c.amount}` : '');
/** The first wording that fits in two segments (with the accents GSM-7 lacks dropped if need be), else the last. */
const firstWithinTwoSegments = (...texts: string[]) =>
  texts.map(withinTwoSegments).find((t) => segmentsOf(t) <= MAX_SEGMENTS) ?? withinTwoSegments(texts.at(-1)!);

/**
 * The fixed texts of sms-templates.ts in Spanish (usted, as a business writes). Each fits in
 * two SMS segments: written with accents, and without the ones GSM-7 lacks when a long
 * business name would make the accented text UCS-2 and too long. The way out stays STOP
 * (carriers honour it); the words asked for (CITA, CAMBIAR, "cancelar mi cita") are none of
 * the opt-out words, which a lone CANCELAR would be.
 */

export const OPT_OUT_CONFIRMATION = (c: TemplateContext) =>
  withinTwoSegments(`${c.businessName}: no recibirá más mensajes nuestros. Responda START para volver a recibirlos.`);

export const OPT_IN_CONFIRMATION = (c: TemplateContext) =>
  withinTwoSegments(
    `${c.businessName}: volverá a recibir mensajes sobre su solicitud. Responda STOP para darse de baja, AYUDA para ayuda.`,
  );

export const HELP = (c: TemplateContext) => {
  const contact = [c.contactPhone, c.contactEmail].filter(Boolean).join(' o ');
  return withinTwoSegments(
    `${c.businessName}: mensajes sobre su solicitud de servicio.${contact ? ` ¿Dudas? Contáctenos: ${contact}.` : ''} Pueden aplicar tarifas. Responda STOP para darse de baja.`,
  );
};

export const BOOKING_CONFIRMED = (c: TemplateContext) =>
  withinTwoSegments(
    `Cita confirmada con ${c.businessName}: ${c.when}. Le recordaremos el día antes. Para cambiarla, responda CAMBIAR; para cancelarla, "cancelar mi cita".`,
  );

export const REMINDER = (c: TemplateContext) =>
  withinTwoSegments(
    `Recordatorio de ${c.businessName}: su cita es el ${c.when}. Responda CAMBIAR si necesita otra hora.`,
  );

export const NOTES = {
  no_slots: (c: TemplateContext) =>
    withinTwoSegments(
      `¡Gracias! Soy ${c.botName}: no encontré horario libre esta semana. Alguien de ${c.businessName} le escribirá para agendar.`,
    ),
  already_booked: (c: TemplateContext) =>
    withinTwoSegments(`Ya tiene cita con ${c.businessName}: ${c.when}. Responda CAMBIAR para moverla.`),
  cancelled: (c: TemplateContext) =>
    withinTwoSegments(`Su cita con ${c.businessName} quedó cancelada. Escríbanos cuando quiera para agendar otra.`),
  nothing_to_cancel: (c: TemplateContext) =>
    withinTwoSegments(`No tiene cita con ${c.businessName} por ahora. ¿Le busco un horario?`),
  handoff: (c: TemplateContext) =>
    withinTwoSegments(`Entendido: una persona de ${c.businessName} le escribirá pronto.`),
  closing: (c: TemplateContext) =>
    withinTwoSegments(
      `Entendido, gracias por avisar. Si necesita a ${c.businessName} más adelante, escriba a este número.`,
    ),
  no_show: (c: TemplateContext) =>
    withinTwoSegments(
      `No pudimos verle hoy. Responda CITA y ${c.botName} le buscará otro horario con ${c.businessName}.`,
    ),
  /** Often the caller's first text from us: it names the bot and the way out, as a first message must. */
  missed_call: (c: TemplateContext) =>
    withinTwoSegments(
      `Perdón, no pudimos atender su llamada. ¿En qué podemos ayudarle? Soy ${c.botName} de ${c.businessName}. Responda STOP para darse de baja.`,
    ),
  on_my_way: (c: TemplateContext) =>
    withinTwoSegments(
      `Buenas noticias: ${c.technician ?? 'su técnico'} de ${c.businessName} va en camino${c.etaMinutes ? ` y llegará en unos ${c.etaMinutes} min` : ''}.`,
    ),
  job_finished: (c: TemplateContext) =>
    withinTwoSegments(
      `¡Gracias por elegir a ${c.businessName}! Su trabajo quedó terminado. Si algo no está bien, escríbanos a este número.`,
    ),
  invoice: (c: TemplateContext) =>
    firstWithinTwoSegments(
      `${c.businessName}: su factura${deAmount(c)} está lista. Puede pagarla aquí:${link(c)}`,
      `${c.businessName}: su factura está lista. Pague aquí:${link(c)}`,
    ),
  invoice_reminder: (c: TemplateContext) =>
    firstWithinTwoSegments(
      `Recordatorio de ${c.businessName}: su factura${deAmount(c)} sigue pendiente. Pague aquí:${link(c)}`,
      `${c.businessName}: su factura sigue pendiente. Pague aquí:${link(c)}`,
    ),
  invoice_paid: (c: TemplateContext) =>
    withinTwoSegments(`${c.businessName}: recibimos su pago, ¡muchas gracias! Agradecemos su confianza.`),
  review_request: (c: TemplateContext) =>
    firstWithinTwoSegments(
      `¡Gracias de nuevo por elegir a ${c.businessName}! Si tiene un minuto, una breve reseña nos ayudaría mucho:${link(c)}`,
      `${c.businessName}: ¿nos deja una breve reseña?${link(c)}`,
    ),
  review_reminder: (c: TemplateContext) =>
    firstWithinTwoSegments(
      `${c.businessName}: si quedó contento con el trabajo, una breve reseña nos ayuda mucho:${link(c)}`,
      `${c.businessName}: una breve reseña nos ayuda mucho:${link(c)}`,
    ),
  which_service: (c: TemplateContext) =>
    listedWithinSegments(c.services ?? [], 'o', (names) =>
      names
        ? `${c.businessName}: ¡con gusto! ¿Qué servicio necesita: ${names}?`
        : `${c.businessName}: ¡con gusto! ¿Qué servicio necesita?`,
    ),
} as const;
