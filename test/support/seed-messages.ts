/**
 * The device messages of seed 001's "Message Formats" section (telemetry, command, acknowledgment,
 * error), byte for byte as the seed prints them: twinfold must accept them exactly as written.
 */
export const SEED_TELEMETRY = `{
  "device_id": "sensor-001",
  "timestamp": 1707134400,
  "type": "telemetry",
  "data": {
    "temperature": 23.5,
    "humidity": 65.2,
    "pressure": 1013.25
  },
  "metadata": {
    "unit": "celsius",
    "precision": 0.1
  }
}`;

export const SEED_COMMAND = `{
  "command_id": "cmd-12345",
  "device_id": "light-001",
  "timestamp": 1707134400,
  "action": "set_brightness",
  "parameters": {
    "brightness": 75,
    "duration": 2
  },
  "timeout": 10
}`;

export const SEED_ACK = `{
  "command_id": "cmd-12345",
  "device_id": "light-001",
  "timestamp": 1707134401,
  "status": "success",
  "result": {
    "brightness": 75,
    "execution_time": 0.5
  }
}`;

export const SEED_ERROR = `{
  "device_id": "sensor-001",
  "timestamp": 1707134400,
  "type": "error",
  "error_code": "E001",
  "message": "Sensor reading failed",
  "details": {
    "sensor": "temperature",
    "reason": "timeout"
  }
}`;
