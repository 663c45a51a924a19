-- SLOs per journey: a replay SLO may count one journey's replays alone ('other' included), by name; a journey an SLO
-- names cannot be removed (JourneyStore.remove refuses), so the name always resolves. severity, when set, is what a
-- fast burn raises instead of the default from the journey's criticality (AlertSeverity.ofFastBurn).
ALTER TABLE slo ADD COLUMN journey text,
                ADD COLUMN severity text CHECK (severity IN ('page', 'ticket'));
CREATE INDEX slo_app_journey ON slo (app_id, journey) WHERE journey IS NOT NULL;
