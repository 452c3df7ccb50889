"""Clinical sample texts. Every person, number and institution here is fictional."""

HOSPITAL = "Northbridge Regional Hospital"
PATIENT = "Eleanor M. Hartwell"
MRN = "MRN123"

DISCHARGE_INFO = {
    "Title": "Discharge Summary - Eleanor M. Hartwell",
    "Author": "Dr. Samuel Adeyemi, Internal Medicine",
    "Subject": "Hospital discharge summary: atrial fibrillation, anticoagulation change",
    "Keywords": "discharge summary; atrial fibrillation; apixaban; warfarin",
    "CreationDate": "D:20240308161500Z",
}

DISCHARGE = [
    ("title", "Discharge Summary"),
    ("subtitle", HOSPITAL + " \u2014 Department of Internal Medicine"),
    ("kv", "Patient:", PATIENT),
    ("kv", "Medical record no.:", MRN),
    ("kv", "Date of birth:", "1948-06-02 (age 75)"),
    ("kv", "Admitted:", "2024-03-04 via the Emergency Department"),
    ("kv", "Discharged:", "2024-03-08 to home"),
    ("kv", "Attending:", "Dr. Samuel Adeyemi"),
    ("h", "Diagnoses"),
    ("li", "1.", "Atrial fibrillation with rapid ventricular response, new onset of persistent "
     "episode (principal diagnosis)."),
    ("li", "2.", "Supratherapeutic INR of 4.8 on admission with minor gingival bleeding; no "
     "major haemorrhage."),
    ("li", "3.", "Hypertension, controlled."),
    ("li", "4.", "Type 2 diabetes mellitus, diet and metformin controlled (HbA1c 6.9%)."),
    ("li", "5.", "Chronic kidney disease stage 3a (creatinine 1.1 mg/dL, estimated creatinine "
     "clearance 58 mL/min)."),
    ("h", "History of Present Illness"),
    ("p", "Mrs Hartwell is a 75-year-old retired schoolteacher who presented with three days of "
     "palpitations, exertional breathlessness and light-headedness. She has had paroxysmal atrial "
     "fibrillation since 2019, treated with warfarin by her general practitioner. Her INR control "
     "has been poor over the past year: the anticoagulation clinic recorded a time in therapeutic "
     "range of 41%, with values between 1.4 and 4.8, and she missed several clinic visits because "
     "she no longer drives. She was referred to cardiology in February 2024 for these reasons."),
    ("p", "On arrival the heart rate was 138 beats per minute, irregularly irregular, blood "
     "pressure 142/88 mmHg, oxygen saturation 96% on room air. ECG confirmed atrial fibrillation "
     "without acute ischaemic change. High-sensitivity troponin was not elevated. She reported "
     "bleeding gums when brushing her teeth for two days."),
    ("h", "Hospital Course"),
    ("p", "Rate control was achieved with intravenous then oral metoprolol; the heart rate settled "
     "to 70\u201385 beats per minute within 24 hours. Warfarin was withheld on admission because "
     "of the INR of 4.8; no vitamin K was required and the bleeding stopped spontaneously. "
     "Transthoracic echocardiography showed a structurally normal mitral valve, moderate left "
     "atrial dilatation and a left ventricular ejection fraction of 55%."),
    ("p", "Her CHA2DS2-VASc score is 5 (age, female sex, hypertension, diabetes) and her HAS-BLED "
     "score is 2, so long-term oral anticoagulation remains clearly indicated. After discussion "
     "with the patient and her daughter, her anticoagulant was changed; the reasons and the "
     "new regimen are set out under Medications below. A transoesophageal echocardiogram and "
     "electrical cardioversion were discussed and a separate consent form was signed for a "
     "planned procedure after at least three weeks of uninterrupted anticoagulation."),
    ("break",),
    ("h", "Medications"),
    ("h2", "Anticoagulation change: warfarin stopped, apixaban started"),
    ("p", "Warfarin has been discontinued and replaced by apixaban 5 mg twice daily. Reasons: "
     "(1) labile INR with a time in therapeutic range of only 41% despite good adherence to "
     "dosing; (2) the supratherapeutic INR of 4.8 with bleeding on this admission; (3) she cannot "
     "easily reach the INR clinic for frequent monitoring, and apixaban needs no routine INR "
     "testing; (4) she has non-valvular atrial fibrillation with no mechanical heart valve and no "
     "moderate-to-severe mitral stenosis, so a direct oral anticoagulant is appropriate."),
    ("p", "The standard dose was chosen because she meets none of the dose-reduction criteria "
     "(age 80 or over, weight 60 kg or less, serum creatinine 1.5 mg/dL or more): she is 75, "
     "weighs 68 kg and her creatinine is 1.1 mg/dL. Apixaban was started on 2024-03-06 once the "
     "INR had fallen below 2.0. Do not restart warfarin."),
    ("h2", "Discharge medication list"),
    ("table", [0, 150, 260, 370], ["Medicine", "Dose", "Frequency", "Comment"], [
        ["Apixaban", "5 mg", "twice daily", "NEW \u2014 replaces warfarin"],
        ["Metoprolol succinate", "50 mg", "once daily", "NEW \u2014 rate control"],
        ["Ramipril", "5 mg", "once daily", "unchanged"],
        ["Metformin", "500 mg", "twice daily", "unchanged"],
        ["Atorvastatin", "20 mg", "at night", "unchanged"],
        ["Warfarin", "\u2014", "\u2014", "STOPPED 2024-03-04"],
    ]),
    ("h", "Allergies"),
    ("li", "\u2022", "Penicillin: generalised urticarial rash in 1987."),
    ("li", "\u2022", "Sulfonamide antibiotics: angioedema. Avoid co-trimoxazole."),
    ("h", "Follow-up"),
    ("li", "\u2022", "General practitioner within 7 days: check heart rate, blood pressure and "
     "renal function (creatinine and full blood count) one week after starting apixaban."),
    ("li", "\u2022", "Cardiology clinic (Dr. Renée Okafor) in 4 weeks to plan transoesophageal "
     "echocardiogram and elective cardioversion."),
    ("li", "\u2022", "Repeat renal function every 6 months; review the apixaban dose if "
     "creatinine reaches 1.5 mg/dL or weight falls to 60 kg."),
    ("h", "Advice Given to the Patient"),
    ("p", "Take apixaban every 12 hours, with or without food; do not stop it without medical "
     "advice. Seek urgent care for black stools, blood in the urine, vomiting blood or a severe "
     "headache. Tell any dentist or surgeon that she takes an anticoagulant. Her anticoagulant "
     "alert card has been updated."),
    ("space", 10),
    ("p", "Signed electronically by Dr. Samuel Adeyemi, Consultant Physician, 2024-03-08 16:15."),
]

LAB_INFO = {
    "Title": "Laboratory Report - Eleanor M. Hartwell",
    "Author": "Northbridge Regional Hospital Clinical Laboratory",
    "Subject": "Coagulation, renal function and blood count results",
    "Keywords": "laboratory; INR; creatinine; haemoglobin",
    "CreationDate": "D:20240304134000Z",
}

_LAB_COLS = [0, 150, 225, 300, 410]
LAB = [
    ("title", "Clinical Laboratory Report"),
    ("subtitle", HOSPITAL + " \u2014 Clinical Laboratory, accredited testing site 0457"),
    ("kv", "Patient:", PATIENT + "    Sex: F    DOB: 1948-06-02"),
    ("kv", "MRN:", MRN),
    ("kv", "Requested by:", "Emergency Department, Dr. Priya Natarajan"),
    ("kv", "Collected:", "2024-03-04 11:52    Reported: 2024-03-04 13:40"),
    ("kv", "Specimen:", "Venous blood (citrate, EDTA, serum)"),
    ("h", "Coagulation"),
    ("table", _LAB_COLS, ["Test", "Result", "Units", "Reference range", "Flag"], [
        ["INR", "4.8", "", "0.8 \u2013 1.2 (target 2.0 \u2013 3.0)", "HIGH"],
        ["Prothrombin time", "52.1", "s", "11.0 \u2013 13.5", "HIGH"],
        ["APTT", "41", "s", "25 \u2013 37", "HIGH"],
        ["Fibrinogen", "3.2", "g/L", "2.0 \u2013 4.0", ""],
    ]),
    ("h", "Renal Function and Electrolytes"),
    ("table", _LAB_COLS, ["Test", "Result", "Units", "Reference range", "Flag"], [
        ["Sodium", "139", "mmol/L", "135 \u2013 145", ""],
        ["Potassium", "4.9", "mmol/L", "3.5 \u2013 5.1", ""],
        ["Urea", "7.8", "mmol/L", "2.5 \u2013 7.5", "HIGH"],
        ["Creatinine", "97", "\u00b5mol/L", "45 \u2013 90", "HIGH"],
        ["eGFR", "49", "mL/min/1.73m2", "> 60", "LOW"],
        ["Magnesium", "0.84", "mmol/L", "0.70 \u2013 1.00", ""],
    ]),
    ("h", "Full Blood Count"),
    ("table", _LAB_COLS, ["Test", "Result", "Units", "Reference range", "Flag"], [
        ["Haemoglobin", "118", "g/L", "115 \u2013 165", ""],
        ["White cell count", "8.4", "10^9/L", "4.0 \u2013 11.0", ""],
        ["Platelets", "212", "10^9/L", "150 \u2013 400", ""],
        ["MCV", "91", "fL", "80 \u2013 100", ""],
    ]),
    ("h", "Cardiac and Other"),
    ("table", _LAB_COLS, ["Test", "Result", "Units", "Reference range", "Flag"], [
        ["Troponin T (hs)", "11", "ng/L", "< 14", ""],
        ["TSH", "1.9", "mU/L", "0.4 \u2013 4.0", ""],
        ["HbA1c", "52", "mmol/mol", "< 48", "HIGH"],
    ]),
    ("h2", "Comments"),
    ("p", "INR of 4.8 telephoned to Dr. Natarajan at 13:05 by biomedical scientist J. Ferreira "
     "(critical value policy LAB-CV-02). Results verified by Dr. Hannah Lindqvist, consultant "
     "haematologist."),
]

# The scanned documents: rendered, degraded and kept only as pixels.
REFERRAL = [
    ("subtitle", "Harbourview Family Practice \u2022 14 Quay Street \u2022 Northbridge NB4 2QT"),
    ("space", 14),
    ("p", "20 February 2024"),
    ("p", "Dr. Renée Okafor, Cardiology Outpatients, Northbridge Regional Hospital"),
    ("space", 6),
    ("h", "Referral: Eleanor Hartwell, born 2 June 1948, MRN123"),
    ("p", "Dear Dr. Okafor,"),
    ("p", "Thank you for seeing this 75 year old lady with paroxysmal atrial fibrillation who "
     "has taken warfarin since 2019. Her INR control has been unstable over the last twelve "
     "months, with readings from 1.4 to 4.8, and she now finds it hard to travel to the "
     "anticoagulation clinic. She reports more frequent palpitations and breathlessness on "
     "climbing stairs."),
    ("p", "I would be grateful for your advice on rhythm control and on whether she should move "
     "to a different anticoagulant. Her other conditions are hypertension, type 2 diabetes and "
     "mild chronic kidney disease. She is allergic to penicillin."),
    ("p", "Current medication: warfarin as directed by the clinic, ramipril 5 mg daily, "
     "metformin 500 mg twice daily, atorvastatin 20 mg at night."),
    ("p", "Yours sincerely,"),
    ("space", 30),
    ("p", "Dr. Thomas Whitcombe, General Practitioner"),
]

CONSENT = [
    ("title", "Consent Form for a Procedure"),
    ("subtitle", "Northbridge Regional Hospital \u2022 Cardiology Department"),
    ("kv", "Patient name:", "Eleanor Hartwell"),
    ("kv", "Record number:", "MRN123"),
    ("kv", "Procedure:", "Transoesophageal echocardiogram and electrical cardioversion"),
    ("h", "Statement of the health professional"),
    ("p", "I have explained the procedure to the patient. The intended benefit is a return to "
     "normal heart rhythm. Serious or frequent risks include stroke, a reaction to the sedation, "
     "a sore throat, damage to the oesophagus, skin burns from the pads and a return of the "
     "irregular rhythm."),
    ("h", "Statement of the patient"),
    ("p", "I agree to the procedure described above. I understand that I must keep taking my "
     "blood thinner every day for at least three weeks before the procedure. I have been told "
     "about the risks and I have had the chance to ask questions."),
    ("space", 40),
    ("p", "Patient signature:"),
    ("space", 20),
    ("p", "Date: 8 March 2024"),
    ("space", 20),
    ("p", "Health professional: Dr. Samuel Adeyemi, Consultant Physician"),
]

RELEASE_P1 = [
    ("title", "Authorization for Release of Medical Records"),
    ("subtitle", "Northbridge Regional Hospital \u2022 Health Information Management"),
    ("h", "Part A. Patient"),
    ("kv", "Name:", "Eleanor Hartwell"),
    ("kv", "Record number:", "MRN123"),
    ("kv", "Date of birth:", "2 June 1948"),
    ("h", "Part B. Records to be released"),
    ("li", "[X]", "Discharge summary of March 2024"),
    ("li", "[X]", "Laboratory results of March 2024"),
    ("li", "[X]", "Echocardiogram report"),
    ("li", "[ ]", "Mental health records"),
    ("h", "Part C. Recipient"),
    ("p", "Harbourview Family Practice, 14 Quay Street, Northbridge. Attention: Dr. Thomas "
     "Whitcombe."),
]

RELEASE_P2 = [
    ("h", "Part D. Purpose of the release"),
    ("p", "Continuing care by my family doctor after my hospital stay."),
    ("h", "Part E. Expiry and revocation"),
    ("p", "This authorization expires twelve months after the date below. I may revoke it at "
     "any time by writing to the Health Information Management office. Records already released "
     "cannot be recalled."),
    ("space", 36),
    ("p", "Signature of patient:"),
    ("space", 20),
    ("p", "Date: 8 March 2024"),
]
